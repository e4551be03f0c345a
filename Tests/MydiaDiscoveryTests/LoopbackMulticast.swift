import Foundation
import Testing
import Logging
import MydiaTestSupport
@testable import MydiaDiscovery

/// Whether multicast works on the loopback interface here: two sockets on a scratch port, one
/// datagram from one to the other. The live tests are skipped (with this reason) when it does not.
enum LoopbackMulticast {
    static let interface: MDNSInterface? = {
        guard let lo = MDNSInterface.loopback() else { return nil }
        let works = Blocking.run {
            let port = 50_000 + Int.random(in: 0..<10_000)
            guard let a = try? await MDNSSocket.open(on: lo, port: port), let b = try? await MDNSSocket.open(on: lo, port: port) else { return false }
            defer { Task { await a.close(); await b.close() } }
            let probe = DNSMessage(id: 0x4d59, questions: [DNSQuestion(name: DNSName("probe.local"), type: .a)])
            await a.send(probe)
            return (try? await withTimeout(.seconds(2)) {
                for await datagram in b.datagrams where (try? DNSMessage.decode(datagram.bytes)) == probe { return true }
                return false
            }) ?? false
        }
        return works ? lo : nil
    }()

    static var available: Bool { interface != nil }
    static let skipReason: Comment = "multicast on the loopback interface does not work here (no lo, or a sandbox without IP multicast)"

    static var quiet: Logger {
        var logger = Logger(label: "test.mdns")
        logger.logLevel = .critical
        return logger
    }

    /// Waits until the browser publishes services that satisfy `predicate`, and returns them.
    static func wait(_ browser: MDNSBrowser, _ limit: Duration = .seconds(20),
                     until predicate: @escaping @Sendable ([DiscoveredService]) -> Bool) async throws -> [DiscoveredService] {
        try await withTimeout(limit) {
            for await services in await browser.updates() where predicate(services) { return services }
            throw TimeoutError()
        }
    }
}

/// Runs async work to completion from synchronous code (a static initialiser).
enum Blocking {
    static func run<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            box.value = await body()
            done.signal()
        }
        done.wait()
        return box.value!
    }

    /// One value handed from a task to a waiting thread; the semaphore orders the accesses.
    private final class ResultBox<T>: @unchecked Sendable {
        var value: T?
    }
}
