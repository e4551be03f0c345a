import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MydiaCrypto
import MydiaWire
import NIOCore

/// The sealed-claim HTTP API on the relay's port (PROTOCOL.md §3.2, §11.7, §12.6, §12.7):
/// `POST /pairing/v2/claim`, `GET` and `DELETE /pairing/v2/claim/{lookup_key}`.
struct ClaimRoutes: Sendable {
    let store: any ClaimBackend
    let limits: RelayLimits
    let postLimiter: RateLimiter
    let getLimiter: RateLimiter
    let deleteLimiter: RateLimiter
    let getMissBudget: RateLimiter
    let logger: Logger

    init(store: any ClaimBackend, limits: RelayLimits, timeouts: RelayTimeouts, clock: RelayClock, logger: Logger) {
        self.store = store
        self.limits = limits
        // PROTOCOL.md §11.7: buckets per client IP and per route.
        postLimiter = RateLimiter(limit: limits.claimPostsPerMinute, window: timeouts.rateWindow, clock: clock)
        getLimiter = RateLimiter(limit: limits.claimGetsPerMinute, window: timeouts.rateWindow, clock: clock)
        deleteLimiter = RateLimiter(limit: limits.claimDeletesPerMinute, window: timeouts.rateWindow, clock: clock)
        getMissBudget = RateLimiter(limit: limits.claimGetMissesPerMinute, window: timeouts.rateWindow, clock: clock)
        self.logger = logger
    }

    func register(on router: Router<RelayRequestContext>) {
        router.post("/pairing/v2/claim") { request, context in
            await publish(request, context)
        }
        router.get("/pairing/v2/claim/:lookup_key") { _, context in
            await lookup(context)
        }
        router.delete("/pairing/v2/claim/:lookup_key") { request, context in
            await delete(request, context)
        }
    }

    func prune() async {
        [postLimiter, getLimiter, deleteLimiter, getMissBudget].forEach { $0.prune() }
        await store.prune()
    }

    private func publish(_ request: Request, _ context: RelayRequestContext) async -> Response {
        if let refused = rateLimit(postLimiter, context) { return refused }
        guard let body: ClaimPublishRequest = await decode(request) else {
            return Self.error(.badRequest, "bad_request", "The body must be JSON {\"lookup_key\",\"sealed\",\"owner\"} of at most \(limits.maxClaimBody) bytes.")
        }
        guard ClaimKeys.isValidLookupKey(body.lookupKey) else {
            return Self.error(.badRequest, "bad_request", "lookup_key must be 64 lowercase hex characters.")
        }
        guard ClaimKeys.isValidOwner(body.owner) else {
            return Self.error(.badRequest, "bad_request", "owner must be hex(SHA-256(delete_secret)): 64 lowercase hex characters.")
        }
        guard !body.sealed.isEmpty, Encoding.fromBase64URL(body.sealed) != nil else {
            return Self.error(.badRequest, "bad_request", "sealed must be unpadded base64url.")
        }
        switch await store.publish(lookupKey: body.lookupKey, sealed: body.sealed, owner: body.owner) {
        case .created:
            return Response(status: .noContent)
        case .conflict:
            // PROTOCOL.md §12.6a: first writer wins; the instance issues a new code.
            return Self.error(.conflict, "conflict", "A claim with this lookup_key already exists; issue a new code.")
        case .full:
            return Self.error(.serviceUnavailable, "unavailable", "The relay holds too many claims right now; try again shortly.")
        case .unavailable:
            return Self.storeUnavailable()
        }
    }

    private func lookup(_ context: RelayRequestContext) async -> Response {
        if let refused = rateLimit(getLimiter, context) { return refused }
        let key = context.parameters.get("lookup_key") ?? ""
        guard ClaimKeys.isValidLookupKey(key) else {
            return Self.error(.badRequest, "bad_request", "lookup_key must be 64 lowercase hex characters.")
        }
        switch await store.lookup(key) {
        case .found(let sealed): return Self.json(.ok, ClaimLookupResponse(sealed: sealed))
        case .unavailable: return Self.storeUnavailable()
        case .notFound: break
        }
        // PROTOCOL.md §12.6: a global budget of misses bounds lookup-key guessing across all IPs.
        if case .limited(let seconds) = getMissBudget.acquire("global") {
            return Self.rateLimited(seconds)
        }
        return Self.error(.notFound, "not_found", "No live claim has this lookup_key; check the code or ask for a new one.")
    }

    private func delete(_ request: Request, _ context: RelayRequestContext) async -> Response {
        if let refused = rateLimit(deleteLimiter, context) { return refused }
        let key = context.parameters.get("lookup_key") ?? ""
        guard ClaimKeys.isValidLookupKey(key) else {
            return Self.error(.badRequest, "bad_request", "lookup_key must be 64 lowercase hex characters.")
        }
        guard let body: ClaimDeleteRequest = await decode(request), !body.deleteSecret.isEmpty else {
            return Self.error(.badRequest, "bad_request", "The body must be JSON {\"delete_secret\"} of at most \(limits.maxClaimBody) bytes.")
        }
        switch await store.delete(lookupKey: key, deleteSecret: body.deleteSecret) {
        case .deleted: return Response(status: .noContent)
        case .unavailable: return Self.storeUnavailable()
        case .notFound: return Self.error(.notFound, "not_found", "No live claim has this lookup_key.")
        case .forbidden: return Self.error(.forbidden, "forbidden", "The delete_secret does not match this claim's owner.")
        }
    }

    private func rateLimit(_ limiter: RateLimiter, _ context: RelayRequestContext) -> Response? {
        guard case .limited(let seconds) = limiter.acquire(context.clientKey) else { return nil }
        return Self.rateLimited(seconds)
    }

    private func decode<T: Decodable>(_ request: Request) async -> T? {
        guard let buffer = try? await request.body.collect(upTo: limits.maxClaimBody) else { return nil }
        return try? JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
    }

    /// The fleet's database did not answer (§15): a 503 the instance and client retry.
    static func storeUnavailable() -> Response {
        var response = error(.serviceUnavailable, "unavailable", "The relay cannot reach its database right now; try again in a few seconds.")
        response.headers[.retryAfter] = "5"
        return response
    }

    static func rateLimited(_ retryAfter: Int) -> Response {
        var response = error(.tooManyRequests, "rate_limited", "Too many requests; retry after \(retryAfter) s.")
        response.headers[.retryAfter] = String(retryAfter)
        return response
    }

    static func error(_ status: HTTPResponse.Status, _ code: String, _ message: String) -> Response {
        json(status, RelayHTTPError(error: code, message: message))
    }

    static func json(_ status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        let data = (try? JSONEncoder().encode(value)) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
