import MydiaSystem
import Foundation
import Logging
import MydiaAPI
import MydiaConnection

extension Playback {
    /// How an item's media reaches the player, as chosen at its start.
    struct Delivery {
        /// The file played.
        var file: MediaFile
        /// Direct play, or the HLS strategy of ``session``.
        var strategy: PlaybackStrategy
        /// The streaming session (HLS); nil in direct play.
        var session: StreamingSession?
        /// mpv failing to open the file before it loads may fall back to HLS (``Item/canFallBack``).
        var canFallBack = false
        /// Direct play: the file's first and last bytes, asked for by the check, for mpv's opening reads.
        var prefetch: FilePrefetch?
    }

    /// What the direct-play check found: a refusal (the server's answer), or the file's first and
    /// last bytes on their way.
    enum DirectPlayCheck {
        case refused(String)
        case serves(FilePrefetch?)
    }

    /// PROTOCOL.md §14.2.6: the strategy the user forced, else (with mpv) what `streamingCandidates`
    /// puts first for mpv's device profile. Direct play is checked against the file route first
    /// (one byte): a refusal (404, 415, 5xx) falls back to HLS, or fails when direct play was forced.
    /// HLS takes the candidates' first HLS strategy, then TRANSCODE.
    func chooseDelivery(for item: PlaybackItem, file first: MediaFile, start: Double) async throws -> Delivery {
        let file = first
        switch options.strategy {
        case .directPlay?:
            switch await checkDirectPlay(fileID: file.id) {
            case .refused(let refusal): throw Error.directPlayRefused(refusal)
            case .serves(let prefetch): return Delivery(file: file, strategy: .directPlay, prefetch: prefetch)
            }
        case .hlsCopy?, .transcode?:
            let strategy = options.strategy?.streaming ?? .hlsCopy
            let session = try await startSession(fileID: file.id, start: start, strategies: [strategy]).session
            return Delivery(file: file, strategy: PlaybackStrategy(strategy), session: session)
        case nil:
            var file = file
            var order: [StreamingStrategy] = [.hlsCopy, .transcode]
            // Instant start: the file route is checked (and its first and last bytes fetched) while
            // the candidates are asked for, not after; the check is wasted when HLS wins.
            var speculative: Task<DirectPlayCheck, Never>?
            if case .mpv = options.player {
                let id = first.id
                speculative = Task { await self.checkDirectPlay(fileID: id) }
            }
            // A check not used (HLS won, or another file) is cancelled; its prefetch, dropped, stops.
            defer { speculative?.cancel() }
            if case .mpv = options.player, let candidates = await candidates(for: item) {
                // The server may name another of the item's files; an unknown one is not played.
                if let named = item.files.first(where: { $0.id == candidates.fileId }) { file = named }
                let strategies = candidates.candidates.compactMap { PlaybackStrategy($0.strategy) }
                logger.info("streaming candidates", metadata: ["strategies": "\(strategies.map(\.name))"])
                if strategies.first == .directPlay {
                    let check: DirectPlayCheck
                    if let speculative, file.id == first.id { check = await speculative.value } else { check = await checkDirectPlay(fileID: file.id) }
                    logger.debug("direct-play check answered")
                    switch check {
                    case .serves(let prefetch):
                        return Delivery(file: file, strategy: .directPlay, canFallBack: true, prefetch: prefetch)
                    case .refused(let refusal):
                        logger.notice("direct play refused; playing over HLS", metadata: ["answer": "\(refusal)"])
                    }
                }
                let listed = strategies.compactMap(\.streaming)
                if let first = listed.first { order = first == .transcode ? [.transcode] : [first, .transcode] }
            }
            let (session, strategy) = try await startSession(fileID: file.id, start: start, strategies: order)
            return Delivery(file: file, strategy: PlaybackStrategy(strategy), session: session)
        }
    }

    /// `streamingCandidates` for the item with mpv's device profile; nil (logged) when the server
    /// cannot answer (an older server, an error): the caller plays over HLS.
    private func candidates(for item: PlaybackItem) async -> StreamingCandidates? {
        let operation = Operations.streamingCandidates(contentType: item.reference.kind.rawValue, id: item.reference.id,
                                                       deviceProfile: MPVDeviceProfile.profile)
        do {
            guard let answer = try await api.perform(operation) else {
                logger.info("the server has no streaming candidates for the item; playing over HLS")
                return nil
            }
            return answer
        } catch {
            logger.info("streaming candidates unavailable; playing over HLS", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Asks the file route for its first ``FilePrefetch/windowBytes`` (over the relay its first
    /// ``FilePrefetch/relayWindowBytes`` in pieces of ``FilePrefetch/relayPieceBytes``) and for its
    /// last ``FilePrefetch/tailBytes``, all at once: a refusal (what the first piece answered), or — as soon as the answers' heads are
    /// in, their bodies filling in the background — the prefetch that answers mpv's opening reads
    /// (nil when it could not be kept: the route serves the file).
    func checkDirectPlay(fileID: String) async -> DirectPlayCheck {
        let route = ProxyRoute.file(id: ProxyRoute.segment(fileID))
        let renewing = self.renewing
        let relay = await renewing.currentPath() == .relay
        let (window, piece) = relay ? (FilePrefetch.relayWindowBytes, FilePrefetch.relayPieceBytes) : (FilePrefetch.windowBytes, FilePrefetch.windowBytes)
        var ranges = stride(from: 0, to: window, by: piece).map { "bytes=\($0)-\($0 + piece - 1)" }
        ranges.append("bytes=-\(FilePrefetch.tailBytes)")
        let requests = ranges.map { PathRequest(method: "GET", path: route.upstreamTarget, headers: ["range": $0]) }
        // The first piece decides; the others are asked for at the same moment.
        let others = requests.dropFirst().map { request in Task { try? await renewing.send(request) } }
        func othersAnswered() async -> [PathResponse?] {
            var answers: [PathResponse?] = []
            for task in others { answers.append(await task.value) }
            return answers
        }
        return await withTaskCancellationHandler {
            do {
                let response = try await renewing.send(requests[0])
                guard (200...299).contains(response.status) else {
                    FilePrefetch.drop(response)
                    for case let unused? in await othersAnswered() { FilePrefetch.drop(unused) }
                    return .refused("HTTP \(response.status)")
                }
                return .serves(FilePrefetch(target: route.upstreamTarget, head: response, rest: await othersAnswered()))
            } catch {
                for case let unused? in await othersAnswered() { FilePrefetch.drop(unused) }
                return .refused("\(error)")
            }
        } onCancel: {
            for task in others { task.cancel() }
        }
    }

    /// `startStreamingSession` with each strategy in turn until one works. The start goes as whole
    /// seconds (§14.1); the session is asked for with `playlistMode: FULL`.
    func startSession(fileID: String, start: Double, strategies: [StreamingStrategy]) async throws
        -> (session: StreamingSession, strategy: StreamingStrategy)
    {
        let start = Int(max(0, start).rounded(.down))
        var failure: (any Swift.Error)?
        for strategy in strategies {
            do {
                return (try await api.startStreamingSession(fileId: fileID, strategy: strategy, startPosition: start), strategy)
            } catch {
                failure = error
                logger.notice("streaming session failed", metadata: ["strategy": "\(strategy.rawValue)", "error": "\(error)"])
            }
        }
        throw Error.sessionFailed(failure.map { "\($0)" } ?? "no strategy to try")
    }

    /// mpv could not open the direct-play file before it loaded: play the same item over HLS from
    /// where it was to start (once; a failure then ends the playback).
    func fallBackToHLS() async {
        guard !state.isEnding, let file, let proxy, let player else { return }
        let position = state.item?.position ?? started?.startPosition ?? 0
        logger.notice("mpv could not open the file for direct play; playing over HLS", metadata: ["position": "\(position)"])
        do {
            let (session, strategy) = try await startSession(fileID: file.id, start: position, strategies: [.hlsCopy, .transcode])
            guard !state.isEnding else {
                let api = self.api
                _ = try? await withDeadline(.seconds(5), timedOut: { CancellationError() }) { try await api.endStreamingSession(sessionId: session.sessionId) }
                return
            }
            streaming = session
            self.strategy = PlaybackStrategy(strategy)
            streamOffset = Double(session.offset)
            useSession(session)
            let url = proxy.hlsURL(session: session.sessionId).absoluteString
            started?.url = url
            started?.sessionId = session.sessionId
            started?.strategy = PlaybackStrategy(strategy)
            try await player.command([.string("set_property"), .string("start"),
                                      .string(String(format: "%.3f", max(0, position - streamOffset)))])
            try await player.command([.string("loadfile"), .string(url), .string("replace")])
            if let started { continuation.yield(.started(started)) }
        } catch {
            await finish(.failed("mpv could not play the file directly, and the server could not stream it: \(error)"))
        }
    }
}
