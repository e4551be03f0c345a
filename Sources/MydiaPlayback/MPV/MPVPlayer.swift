import Foundation
public import Logging
import MydiaSystem
import MydiaWire
import NIOCore
import NIOPosix
import Synchronization

/// The user's mpv, started idle with a JSON IPC socket in a private directory and driven over it
/// (PROTOCOL.md §12.22): media URLs reach mpv only through `loadfile` on that socket, never in
/// argv or the environment. The user's mpv configuration is honoured (no `--no-config`).
public final class MPVPlayer: Sendable {
    /// What the launcher can fail with; `description` is one sentence for the user.
    public enum Error: Swift.Error, Sendable, CustomStringConvertible {
        /// The process could not be started.
        case launchFailed(String)
        /// mpv exited or never opened its IPC socket.
        case ipcUnavailable
        /// mpv exited.
        case exited

        public var description: String {
            switch self {
            case .launchFailed(let why): "mpv could not be started: \(why)"
            case .ipcUnavailable: "mpv did not open its control socket — check your mpv configuration (input-ipc-server)."
            case .exited: "mpv has exited."
            }
        }
    }

    /// Something mpv reported over IPC.
    public enum Event: Sendable, Equatable {
        /// An observed property changed (`nil` when it became unavailable).
        case property(name: String, value: JSONValue?)
        /// The current file ended: `eof`, `stop`, `quit`, `error`, `redirect`; `error` carries mpv's `file_error`.
        case endFile(reason: String, error: String?)
        /// A file was loaded and starts playing.
        case fileLoaded
        /// A seek started.
        case seek
        /// Playback (re)started after loading or a seek.
        case playbackRestart
        /// A `script-message` reached this client (sent by an input binding, e.g. the skip prompt's).
        case message([String])
        /// The process is gone (its exit code, or 128 + the signal that ended it).
        case exited(Int32)
    }

    /// How to start mpv.
    public struct Configuration: Sendable {
        /// The mpv to run.
        public var installation: MPVInstallation
        /// Extra options from the user (`--mpv-arg`), e.g. `--vo=null`.
        public var extraArguments: [String]
        /// Whether mpv may use the terminal (CLI playback); the curses UI passes `false`.
        public var useTerminal: Bool

        public init(installation: MPVInstallation, extraArguments: [String] = [], useTerminal: Bool = false) {
            self.installation = installation
            self.extraArguments = extraArguments
            self.useTerminal = useTerminal
        }
    }

    /// The replies of one ``commands(_:)`` call as they come in.
    private struct Batch {
        var first: Int
        var results: [Result<JSONValue?, MPVCommandError>]
        var remaining: Int
        var continuation: CheckedContinuation<[Result<JSONValue?, MPVCommandError>], any Swift.Error>
    }

    private struct State {
        var nextRequest = 0
        var batchOf: [Int: Int] = [:]
        var batches: [Int: Batch] = [:]
        var pending: [Int: CheckedContinuation<JSONValue?, any Swift.Error>] = [:]
        var sent: [String] = []
        var exited = false
        var outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>?
        var attachWaiter: CheckedContinuation<Void, Never>?
    }

    /// Events as they arrive; finishes after `.exited`.
    public let events: AsyncStream<Event>
    /// The mpv process id (for the caller's diagnostics and tests).
    public let processIdentifier: Int32
    private let continuation: AsyncStream<Event>.Continuation
    private let process: ChildProcess
    private let directory: PrivateRuntimeDirectory
    private let channel: any Channel
    private let reader: Mutex<Task<Void, Never>?>
    private let state = Mutex(State())
    private let logger: Logger

    /// Starts mpv idle and connects to its IPC socket.
    public static func launch(_ configuration: Configuration, logger: Logger) async throws -> MPVPlayer {
        let directory = try PrivateRuntimeDirectory.make()
        var arguments = ["--idle=yes", "--input-ipc-server=\(directory.socketPath)", "--keep-open=no"]
        if !configuration.useTerminal { arguments += ["--no-terminal", "--input-terminal=no"] }
        arguments += configuration.extraArguments
        // The user's environment as is (their mpv config lives there); nothing of ours is added. It
        // starts with no signal blocked (§13.76): in the terminal, Ctrl-C and resizes reach it.
        let stream: ChildProcess.Stream = configuration.useTerminal ? .inherit : .null
        let process: ChildProcess
        do {
            process = try ChildProcess(executable: configuration.installation.path, arguments: arguments,
                                       environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MYDIA_") },
                                       stdin: stream, stdout: stream, stderr: stream)
        } catch {
            directory.remove()
            throw Error.launchFailed("\(error)")
        }
        let (events, continuation) = AsyncStream<Event>.makeStream()
        Task {
            continuation.yield(.exited(await process.waitForExit()))
            continuation.finish()
        }
        logger.info("mpv started", metadata: ["pid": "\(process.processIdentifier)", "version": "\(configuration.installation.version)"])
        let connected: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            connected = try await connect(socket: directory.socketPath, process: process)
        } catch {
            process.send(SIGTERM)
            directory.remove()
            throw error
        }
        let player = MPVPlayer(process: process, directory: directory, channel: connected.channel, events: events,
                               continuation: continuation, logger: logger)
        let task = Task {
            do {
                try await connected.executeThenClose { inbound, outbound in
                    player.attach(outbound)
                    await player.read(inbound)
                }
            } catch {
                logger.debug("mpv ipc closed", metadata: ["error": "\(error)"])
            }
            player.attach(nil)
        }
        player.reader.withLock { $0 = task }
        await player.waitAttached()
        return player
    }

    private init(process: ChildProcess, directory: PrivateRuntimeDirectory, channel: any Channel, events: AsyncStream<Event>,
                 continuation: AsyncStream<Event>.Continuation, logger: Logger) {
        self.process = process
        self.processIdentifier = process.processIdentifier
        self.directory = directory
        self.channel = channel
        self.events = events
        self.continuation = continuation
        self.reader = Mutex(nil)
        self.logger = logger
    }

    /// Every IPC line sent so far (URLs included, tokens never: for the leak tests).
    public var sentLines: [String] { state.withLock { $0.sent } }

    /// Whether the process still runs.
    public var isRunning: Bool { process.isRunning }

    /// Sends one command and waits for mpv's reply; returns its `data`.
    /// - Throws: ``Error/exited`` when mpv is gone, `MPVCommandError` when mpv answered an error.
    @discardableResult
    public func command(_ arguments: [JSONValue]) async throws -> JSONValue? {
        let (id, exited) = state.withLock { state -> (Int, Bool) in
            state.nextRequest += 1
            return (state.nextRequest, state.exited)
        }
        guard !exited else { throw Error.exited }
        let line = JSONValue.object(["command": .array(arguments), "request_id": .number(Double(id))]).encoded()
        state.withLock { $0.sent.append(line) }
        logger.debug("mpv ipc →", metadata: ["line": "\(line)"])
        return try await withCheckedThrowingContinuation { continuation in
            state.withLock { $0.pending[id] = continuation }
            let outbound = state.withLock { $0.outbound }
            Task {
                do {
                    guard let outbound else { throw Error.exited }
                    try await outbound.write(ByteBuffer(string: line + "\n"))
                } catch {
                    self.fail(id, Error.exited)
                }
            }
        }
    }

    /// Sends `commands` in one write, in order, and waits for every reply; mpv runs them in that
    /// order (one round trip instead of one per command). Returns their `data`.
    /// - Throws: ``Error/exited`` when mpv is gone; the first `MPVCommandError`, once every reply is in.
    @discardableResult
    public func commands(_ commands: [[JSONValue]]) async throws -> [JSONValue?] {
        guard !commands.isEmpty else { return [] }
        let (first, exited) = state.withLock { state -> (Int, Bool) in
            defer { state.nextRequest += commands.count }
            return (state.nextRequest + 1, state.exited)
        }
        guard !exited else { throw Error.exited }
        let lines = commands.enumerated().map {
            JSONValue.object(["command": .array($0.element), "request_id": .number(Double(first + $0.offset))]).encoded()
        }
        state.withLock { $0.sent += lines }
        for line in lines { logger.debug("mpv ipc →", metadata: ["line": "\(line)"]) }
        let results = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[Result<JSONValue?, MPVCommandError>], any Swift.Error>) in
            let outbound = state.withLock { state in
                for index in commands.indices { state.batchOf[first + index] = first }
                state.batches[first] = Batch(first: first, results: Array(repeating: .success(nil), count: commands.count),
                                             remaining: commands.count, continuation: continuation)
                return state.outbound
            }
            Task {
                do {
                    guard let outbound else { throw Error.exited }
                    try await outbound.write(ByteBuffer(string: lines.joined(separator: "\n") + "\n"))
                } catch {
                    self.failBatch(first, Error.exited)
                }
            }
        }
        return try results.map { try $0.get() }
    }

    private func failBatch(_ first: Int, _ error: any Swift.Error) {
        let batch = state.withLock { state -> Batch? in
            guard let batch = state.batches.removeValue(forKey: first) else { return nil }
            for index in 0..<batch.results.count { state.batchOf.removeValue(forKey: first + index) }
            return batch
        }
        batch?.continuation.resume(throwing: error)
    }

    /// Asks mpv to follow a property; changes arrive as ``Event/property(name:value:)``.
    public func observe(_ property: String, id: Int) async throws {
        try await command([.string("observe_property"), .number(Double(id)), .string(property)])
    }

    /// Asks mpv to quit, then waits up to `grace` before killing it; removes the socket directory.
    public func shutdown(grace: Duration = .seconds(3)) async {
        if process.isRunning {
            _ = try? await withDeadline(.seconds(1), timedOut: { CancellationError() }) { try await self.command([.string("quit")]) }
            await process.stop(sending: nil, grace: grace)
        }
        try? await channel.close()
        await reader.withLock { $0 }?.value
        directory.remove()
    }

    private func attach(_ outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>?) {
        let waiter = state.withLock { state in
            state.outbound = outbound
            if outbound == nil { state.exited = true }
            defer { state.attachWaiter = nil }
            return state.attachWaiter
        }
        waiter?.resume()
    }

    private func waitAttached() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.outbound != nil || state.exited { return true }
                state.attachWaiter = waiter
                return false
            }
            if ready { waiter.resume() }
        }
    }

    private func fail(_ id: Int, _ error: any Swift.Error) {
        let continuation = state.withLock { $0.pending.removeValue(forKey: id) }
        continuation?.resume(throwing: error)
    }

    private func read(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>) async {
        var buffer: [UInt8] = []
        do {
            for try await var chunk in inbound {
                buffer += chunk.readBytes(length: chunk.readableBytes) ?? []
                while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Array(buffer[..<newline])
                    buffer.removeSubrange(...newline)
                    handle(line)
                }
                if buffer.count > 1 << 20 { buffer.removeAll() }  // a runaway line: drop it
            }
        } catch {
            logger.debug("mpv ipc closed", metadata: ["error": "\(error)"])
        }
        let (pending, batches) = state.withLock { state in
            state.exited = true
            defer {
                state.pending = [:]
                state.batches = [:]
                state.batchOf = [:]
            }
            return (state.pending, state.batches)
        }
        for continuation in pending.values { continuation.resume(throwing: Error.exited) }
        for batch in batches.values { batch.continuation.resume(throwing: Error.exited) }
    }

    private func handle(_ line: [UInt8]) {
        guard case .object(let message)? = try? JSONValue.decode(line) else { return }
        if case .number(let id)? = message["request_id"], message["event"] == nil, completeBatch(Int(id), message) {
            return
        }
        if case .number(let id)? = message["request_id"], message["event"] == nil {
            let continuation = state.withLock { $0.pending.removeValue(forKey: Int(id)) }
            if case .string(let status)? = message["error"], status != "success" {
                continuation?.resume(throwing: MPVCommandError(message: status))
            } else {
                continuation?.resume(returning: message["data"])
            }
            return
        }
        guard case .string(let event)? = message["event"] else { return }
        switch event {
        case "property-change":
            guard case .string(let name)? = message["name"] else { return }
            let value = message["data"].flatMap { $0 == .null ? nil : $0 }
            continuation.yield(.property(name: name, value: value))
        case "end-file":
            let reason = message["reason"]?.stringValue ?? "unknown"
            continuation.yield(.endFile(reason: reason, error: message["file_error"]?.stringValue))
        case "file-loaded":
            continuation.yield(.fileLoaded)
        case "seek":
            continuation.yield(.seek)
        case "playback-restart":
            continuation.yield(.playbackRestart)
        case "client-message":
            guard case .array(let args)? = message["args"] else { return }
            continuation.yield(.message(args.compactMap(\.stringValue)))
        default:
            break
        }
    }

    /// Files a reply that belongs to a batch; false when it does not.
    private func completeBatch(_ id: Int, _ message: [String: JSONValue]) -> Bool {
        let (found, done) = state.withLock { state -> (Bool, Batch?) in
            guard let first = state.batchOf.removeValue(forKey: id), var batch = state.batches[first] else { return (false, nil) }
            if case .string(let status)? = message["error"], status != "success" {
                batch.results[id - first] = .failure(MPVCommandError(message: status))
            } else {
                batch.results[id - first] = .success(message["data"])
            }
            batch.remaining -= 1
            if batch.remaining == 0 {
                state.batches.removeValue(forKey: first)
                return (true, batch)
            }
            state.batches[first] = batch
            return (true, nil)
        }
        done?.continuation.resume(returning: done?.results ?? [])
        return found
    }

    /// Connects to mpv's socket once it exists, while mpv runs, for at most 15 s.
    private static func connect(socket: String, process: ChildProcess) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline, process.isRunning {
            if FileManager.default.fileExists(atPath: socket) {
                do {
                    return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                        .connect(unixDomainSocketPath: socket) { channel in
                            channel.eventLoop.makeCompletedFuture {
                                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                            }
                        }
                } catch {
                    // mpv creates the file before it listens: try again shortly.
                }
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw Error.ipcUnavailable
    }
}

/// mpv answered a command with an error status (e.g. `property unavailable`).
public struct MPVCommandError: Swift.Error, Sendable, CustomStringConvertible {
    /// mpv's error string.
    public let message: String
    public var description: String { "mpv refused a command: \(message)." }
}
