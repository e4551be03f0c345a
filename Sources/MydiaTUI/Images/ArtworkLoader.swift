import MydiaAPI

/// Runs poster fetches for the effect runner: at most two at once, and of the requests waiting
/// only the newest (holding `j` through a list asks for every row it passes; only the row the
/// cursor stops on matters). A request that is dropped is reported `.superseded`.
actor ArtworkLoader {
    private let fetcher: ArtworkFetcher
    private let post: @Sendable (AppEvent) -> Void
    private var running = 0
    private var waiting: (request: ArtworkRequest, api: APIClient?)?
    static let parallel = 2

    init(fetcher: ArtworkFetcher, post: @escaping @Sendable (AppEvent) -> Void) {
        self.fetcher = fetcher
        self.post = post
    }

    func submit(_ request: ArtworkRequest, api: APIClient?) {
        if let old = waiting { post(.artwork(url: old.request.url, .superseded)) }
        waiting = (request, api)
        pump()
    }

    private func pump() {
        while running < Self.parallel, let next = waiting {
            waiting = nil
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
