import Synchronization

extension ServerHost {
    /// Runs the direct listener as one child of `run()`. After `stopDirectListener()` the child
    /// stays alive (the relay link keeps serving) and waits for `restartDirectListener()` or the end.
    func runDirectListener() async throws {
        while !Task.isCancelled {
            if directRun.withLock({ $0.stopped }) {
                try await Task.sleep(for: .milliseconds(100))
                continue
            }
            let port = direct.boundPortIfKnown()  // a restart binds the port the first run got
            let task = Task { try await self.direct.run(port: port) }
            directRun.withLock { $0.task = task }
            do {
                try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
            } catch {
                if !directRun.withLock({ $0.stopped }) { throw error }
            }
            if !directRun.withLock({ $0.stopped }) { return }
        }
    }

    /// Stops only the direct HTTPS listener, as when the LAN path disappears; the relay path keeps
    /// working. For tests of the client's fallback to the relay.
    public func stopDirectListener() {
        let task = directRun.withLock { run -> Task<Void, any Error>? in
            run.stopped = true
            defer { run.task = nil }
            return run.task
        }
        task?.cancel()
    }

    /// Starts the direct listener again, on the port it had, after `stopDirectListener()`.
    public func restartDirectListener() {
        directRun.withLock { $0.stopped = false }
    }
}
