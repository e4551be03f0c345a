import Foundation
import MydiaTunnel
import NIOHTTP1

extension DirectClient {
    /// What a successful probe measured.
    public struct ProbeResult: Sendable, Equatable {
        /// Round-trip time of the probe request on the fresh connection (request sent → head received).
        public var rtt: Duration
        /// Everything: TCP connect, TLS with the pin, the request and its body.
        public var elapsed: Duration
    }

    /// The probe of §6 (the seed's "TCP + TLS + channel join"): a fresh TCP connection, TLS with
    /// the pin check, then `GET /api/v1/remote/probe` with the bearer → 200 with a matching
    /// `instance_id`. The bearer is sent only after the pin has matched.
    /// - Parameter budget: the whole probe's limit (§6: 5 s per URL).
    /// - Throws: `.pinMismatch` distinctly (the caller holds the URL off), `.timedOut`,
    ///   `.probeRejected`, `.wrongInstance`, or a connection error.
    public func probe(bearer: String, expectedInstanceID: String, budget: Duration = .seconds(5)) async throws(Error) -> ProbeResult {
        let outcome = OneShot<Result<ProbeResult, Error>>()
        let work = Task {
            do throws(Error) {
                outcome.fulfil(.success(try await runProbe(bearer: bearer, expectedInstanceID: expectedInstanceID)))
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

    private func runProbe(bearer: String, expectedInstanceID: String) async throws(Error) -> ProbeResult {
        let started = ContinuousClock.now
        let connection = try await connect()
        var head = HTTPRequestHeadBuilder.get(path: "/api/v1/remote/probe", host: hostHeaderValue)
        head.headers.add(name: "authorization", value: "Bearer \(bearer)")
        let sent = ContinuousClock.now
        let job = DirectConnection.Job(head: head, body: [])
        guard connection.submit(job) else { throw .connectionClosed(retryable: true) }
        let response = try await withTaskCancellationHandler {
            await job.response.value
        } onCancel: {
            job.response.fulfil(.failure(.cancelled))
        }.get()
        let rtt = ContinuousClock.now - sent
        let body: [UInt8]
        do {
            body = try await response.body.collect(upTo: 64 * 1024)
        } catch {
            throw .connectionClosed(retryable: true)
        }
        guard response.status == 200 else { throw .probeRejected(status: response.status) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let id = object["instance_id"] as? String
        else { throw .probeRejected(status: response.status) }
        guard id.lowercased() == expectedInstanceID.lowercased() else { throw .wrongInstance }
        return ProbeResult(rtt: rtt, elapsed: ContinuousClock.now - started)
    }
}
