import MydiaAPI

/// Runs poster fetches for the effect runner: at most two at once, newest request first, and at
/// most ``maxWaiting`` waiting (holding `j` through a list asks for every row it passes; only
/// where the cursor stops matters, while a rail of cards may ask for a few at once). A request
/// dropped from the queue is reported `.superseded`, so the reducer may ask for it again.
actor ArtworkLoader {
    private let fetcher: ArtworkFetcher
    private let post: @Sendable (AppEvent) -> Void
    private var running = 0
    private var waiting: [(request: ArtworkRequest, api: APIClient?)] = []
    static let parallel = 2
    static let maxWaiting = 8

    init(fetcher: ArtworkFetcher, post: @escaping @Sendable (AppEvent) -> Void) {
        self.fetcher = fetcher
        self.post = post
    }

    func submit(_ request: ArtworkRequest, api: APIClient?) {
        waiting.removeAll { $0.request.url == request.url }
        waiting.append((request, api))
        while waiting.count > Self.maxWaiting { post(.artwork(url: waiting.removeFirst().request.url, .superseded)) }
        pump()
    }

    private func pump() {
        while running < Self.parallel, let next = waiting.popLast() {
            running += 1
            Task.detached(priority: .utility) { [fetcher, post] in
                let outcome = await fetcher.load(next.request, api: next.api)
                post(.artwork(url: next.request.url, outcome))
                await self.finished()
            }
        }
    }

    private func finished() {
        running -= 1
        pump()
    }
}
