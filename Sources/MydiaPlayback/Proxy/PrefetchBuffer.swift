/// One byte range of a file, `start..<end`, filled in memory from a server response while the
/// player opens the file (``FilePrefetch``); readers wait for bytes not there yet. Filling stops at
/// `end`, or early when the response ends or fails: readers then get what arrived and are told
/// there is no more, so they continue from the server.
actor PrefetchBuffer {
    /// Where the range begins in the file.
    nonisolated let start: Int
    /// Where it ends (exclusive) once filled.
    nonisolated let end: Int
    private var bytes: [UInt8] = []
    private var finished = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(start: Int, end: Int) {
        self.start = start
        self.end = end
        bytes.reserveCapacity(end - start)
    }

    /// Whether `offset` lies in the range (filled or still to come).
    nonisolated func covers(_ offset: Int) -> Bool { offset >= start && offset < end }

    /// Adds the next bytes of the range (what lies past its end is dropped); returns whether
    /// more are wanted.
    @discardableResult
    func append(_ chunk: [UInt8]) -> Bool {
        guard !finished else { return false }
        let room = end - start - bytes.count
        bytes += chunk.count <= room ? chunk : Array(chunk.prefix(room))
        if bytes.count == end - start { finished = true }
        wake()
        return !finished
    }

    /// No more bytes will come (the response ended, failed or was cancelled).
    func finish() {
        finished = true
        wake()
    }

    /// Up to `limit` bytes from `offset`, waiting while they are still to come; empty when none
    /// will come (the range is exhausted there, or filling stopped before it).
    func read(from offset: Int, limit: Int) async -> [UInt8] {
        while true {
            let index = offset - start
            guard index >= 0 else { return [] }
            if index < bytes.count { return Array(bytes[index..<min(bytes.count, index + limit)]) }
            if finished { return [] }
            await withCheckedContinuation { waiters.append($0) }
        }
    }

    /// How many bytes are there now (tests, diagnostics).
    var filled: Int { bytes.count }

    private func wake() {
        let waiting = waiters
        waiters = []
        for waiter in waiting { waiter.resume() }
    }
}
