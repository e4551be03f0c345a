import Foundation
import MydiaCrypto
import MydiaTestSupport
import MydiaWire

/// One load process of the fleet bench (`mydia-fleet-bench --worker K --workers N …`): it plays
/// the instances i ≡ K (mod N) and their clients, so that no process holds more sockets than its
/// file limit allows. Instance i registers on node i % 3; its client connects through node
/// (i + 1) % 3, which does not hold it, is answered `moved` and connects again at the named node.
///
/// It speaks to the coordinator by lines: prints `ready`; on `register` registers its instances
/// and prints `registered <ok> <failed>`; on `connect` connects one client per registered
/// instance and prints `connected <ok> <failed> <ms,ms,…>`; on `stop` (or end of input) exits.
enum FleetWorker {
    static func run(index: Int, workers: Int, instances: Int, ports: [Int], concurrency: Int) async throws {
        raiseFileLimit()
        let mine = Array(stride(from: index, to: instances, by: workers))
        let keys = mine.map { _ in X25519KeyPair.generate() }
        let ids = mine.map { _ in UUID().uuidString.lowercased() }
        let sockets = Box<[Int: TestSocket]>([:])
        // Instances ping as real ones do (§2.1), or the nodes drop them as silent after 60 s.
        let keepalive = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(20))
                for socket in sockets.withLock({ Array($0.values) }) { socket.send(.ping) }
            }
        }
        defer { keepalive.cancel() }
        let commands = LineReader(FileHandle.standardInput)
        Self.emit("ready")
        while let command = await commands.nextLine() {
            switch command {
            case "register":
                let failed = Box(0)
                try await forEach(0..<mine.count, concurrency: concurrency) { j in
                    let i = mine[j]
                    let socket = TestSocket("ws://127.0.0.1:\(ports[i % ports.count])/relay/tunnel/websocket")
                    do {
                        guard case .challenge(let nonce, let relayKey) = try await socket.nextMessage(timeout: .seconds(60)) else { throw FleetBenchError("no challenge") }
                        let proof = try RegistrationProof.make(staticKey: keys[j], relayKey: relayKey, nonce: nonce, instanceID: ids[j])
                        socket.send(.register(.init(instanceID: ids[j], publicKey: keys[j].publicKey, proof: proof)))
                        guard case .registered = try await socket.nextMessage(timeout: .seconds(60)) else { throw FleetBenchError("registration refused") }
                        sockets.withLock { $0[j] = socket }
                    } catch {
                        socket.close()
                        failed.withLock { $0 += 1 }
                    }
                }
                Self.emit("registered \(sockets.withLock { $0.count }) \(failed.withLock { $0 })")
            case "connect":
                let registered = sockets.withLock { $0.keys.sorted() }
                let times = Box<[Double]>([])
                let failed = Box(0)
                try await forEach(0..<registered.count, concurrency: concurrency) { n in
                    let j = registered[n]
                    let i = mine[j]
                    let start = ContinuousClock.now
                    let wrong = TestSocket("ws://127.0.0.1:\(ports[(i + 1) % ports.count])/relay/client/websocket")
                    defer { wrong.close() }
                    wrong.send(.connect(instanceID: ids[j]))
                    guard case .text(let text)? = await wrong.next(timeout: .seconds(60)), let target = RelayMoved.relayURL(in: text) else {
                        failed.withLock { $0 += 1 }
                        return
                    }
                    wrong.close()
                    let right = TestSocket(target + "/relay/client/websocket")
                    defer { right.close() }
                    right.send(.connect(instanceID: ids[j]))
                    guard case .connected? = try? await right.nextMessage(timeout: .seconds(60)) else {
                        failed.withLock { $0 += 1 }
                        return
                    }
                    let elapsed = ContinuousClock.now - start
                    times.withLock { $0.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15) }
                }
                let all = times.withLock { $0 }
                Self.emit("connected \(all.count) \(failed.withLock { $0 }) " + all.map { String(format: "%.2f", $0) }.joined(separator: ","))
            default:
                for socket in sockets.withLock({ Array($0.values) }) { socket.close() }
                try await Task.sleep(for: .milliseconds(500))
                return
            }
        }
    }

    /// Writes one line to stdout at once (a pipe to the coordinator: no stdio buffering).
    static func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Raises the open-file limit to its hard limit (each instance holds a socket for the whole run).
    static func raiseFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    /// Runs `body` for every element with at most `concurrency` in flight.
    static func forEach(_ range: Range<Int>, concurrency: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = range.lowerBound
            while next < range.upperBound && next - range.lowerBound < concurrency {
                let i = next
                group.addTask { try await body(i) }
                next += 1
            }
            while try await group.next() != nil {
                guard next < range.upperBound else { continue }
                let i = next
                group.addTask { try await body(i) }
                next += 1
            }
        }
    }
}
