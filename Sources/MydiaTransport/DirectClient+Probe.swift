import Foundation
import MydiaTunnel

extension DirectClient {
    /// What a successful probe measured.
    public struct ProbeResult: Sendable, Equatable {
        /// Round-trip time of the probe request on the fresh connection (request sent → head received).
        public var rtt: Duration
        /// Everything: TCP connect, TLS with the pin, the request and its body.
        public var elapsed: Duration
    }

    /// One probe exchange on a fresh connection, whatever its status: for callers that judge the
    /// answer themselves (the URL-login probe of PROTOCOL.md §14.2).
    public struct ProbeExchange: Sendable, Equatable {
        /// The HTTP status.
        public var status: Int
        /// Header names are lowercase.
        public var headers: [String: String]
        /// The body, at most 64 KiB.
        public var body: [UInt8]
        /// Request sent → response head received.
        public var rtt: Duration
        /// TCP connect, TLS, the request and its body.
        public var elapsed: Duration
    }

    /// The probe of §6 (the seed's "TCP + TLS + channel join"): a fresh TCP connection, TLS with
    /// the pin check, then `GET /api/v1/remote/probe` with the bearer → 200 with a matching
    /// `instance_id`. The bearer is sent only after the pin has matched.
    /// - Parameter budget: the whole probe's limit (§6: 5 s per URL).
    /// - Throws: `.pinMismatch` distinctly (the caller holds the URL off), `.timedOut`,
    ///   `.probeRejected`, `.wrongInstance`, or a connection error.
    public func probe(bearer: String, expectedInstanceID: String, budget: Duration = .seconds(5)) async throws(Error) -> ProbeResult {
        let exchange = try await probe(method: "GET", path: "/api/v1/remote/probe", bearer: bearer, budget: budget)
        guard exchange.status == 200 else { throw .probeRejected(status: exchange.status) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(exchange.body)) as? [String: Any],
              let id = object["instance_id"] as? String
        else { throw .probeRejected(status: exchange.status) }
        guard id.lowercased() == expectedInstanceID.lowercased() else { throw .wrongInstance }
        return ProbeResult(rtt: exchange.rtt, elapsed: exchange.elapsed)
    }

    /// One request on a fresh connection (TCP, TLS in this client's mode, the request, its body),
    /// bounded by `budget`. The bearer is sent only after the certificate was accepted.
    /// - Throws: the connection's errors (`.pinMismatch`, `.untrustedCertificate`, …), `.timedOut`.
    public func probe(
        method: String, path: String, headers: [String: String] = [:], body: [UInt8] = [], bearer: String?,
        budget: Duration = .seconds(5)
    ) async throws(Error) -> ProbeExchange {
        let outcome = OneShot<Result<ProbeExchange, Error>>()
        let work = Task {
            do throws(Error) {
                outcome.fulfil(.success(try await runProbe(method: method, path: path, headers: headers, body: body, bearer: bearer)))
            } catch {
                outcome.fulfil(.failure(error))
            }
        }
        let timer = Task {
            try await Task.sleep(for: budget)
            outcome.fulfil(.failure(.timedOut))
        }
        let result = await withTaskCancellationHandler {
            await outcome.value
        } onCancel: {
            outcome.fulfil(.failure(.timedOut))
        }
        timer.cancel()
        if case .failure = result { work.cancel() }
        return try result.get()
    }

    private func runProbe(method: String, path: String, headers: [String: String], body: [UInt8], bearer: String?) async throws(Error) -> ProbeExchange {
        let started = ContinuousClock.now
        let connection = try await connect()
        let head = makeHead(method: method, path: path, headers: headers, body: body, bearer: bearer)
        let sent = ContinuousClock.now
        let job = DirectConnection.Job(head: head, body: body)
        guard connection.submit(job) else { throw .connectionClosed(retryable: true) }
        let response = try await withTaskCancellationHandler {
            await job.response.value
        } onCancel: {
            job.response.fulfil(.failure(.cancelled))
        }.get()
        let rtt = ContinuousClock.now - sent
        let bytes: [UInt8]
        do {
            bytes = try await response.body.collect(upTo: 64 * 1024)
        } catch {
            throw .connectionClosed(retryable: true)
        }
        return ProbeExchange(status: response.status, headers: response.headers, body: bytes, rtt: rtt,
                             elapsed: ContinuousClock.now - started)
    }
}
