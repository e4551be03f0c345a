import Foundation
import Logging
import MydiaAPI

extension Playback {
    /// The mpv input section of the skip prompt, and the message its bindings send back.
    static let skipSection = "mydia-skip"
    static let skipMessage = "mydia-skip"

    /// The position entered `segment` (ask mode): offers the skip. In an episode's credits with
    /// autoplay on and a next episode, the countdown starts now and Enter plays the next episode.
    func enterSegment(_ segment: SkipSegmentRange) async {
        guard !state.isEnding else { return }
        var action = SkipPrompt.Action.skip
        if segment.kind == .credits, case .playing = state, let next = await nextEpisode() {
            await handle(.creditsReached)
            if case .playing(let item) = state, item.endedEarly {
                action = .nextEpisode
                countdownTask?.cancel()
                countdownTask = Task { [weak self] in await self?.countDown(to: next) }
            }
        }
        await offer(SkipPrompt(segment: segment, action: action))
    }

    /// The position left the segment offered: the skip prompt goes (a running countdown stays).
    func leaveSegment() async {
        guard let prompt, prompt.action == .skip else { return }
        await withdrawPrompt()
    }

    /// Shows `prompt` in mpv with Enter bound to it, and publishes it.
    func offer(_ prompt: SkipPrompt) async {
        self.prompt = prompt
        continuation.yield(.skippable(prompt))
        guard let player else { return }
        let remaining = max(1, (prompt.segment.end - (state.item?.position ?? prompt.segment.start)))
        let message = "script-message \(Self.skipMessage)"
        do {
            // `force`: Enter skips even where the user's input.conf binds it; the section goes
            // when the prompt does.
            try await player.commands([
                [.string("define-section"), .string(Self.skipSection), .string("ENTER \(message)\nKP_ENTER \(message)\n"), .string("force")],
                [.string("enable-section"), .string(Self.skipSection)],
                [.string("show-text"), .string(prompt.text), .number((remaining * 1000).rounded())],
            ])
        } catch {
            logger.info("the skip prompt could not be shown in mpv", metadata: ["error": "\(error)"])
        }
    }

    /// Takes the prompt down (mpv's binding and text) and publishes that.
    func withdrawPrompt() async {
        guard prompt != nil else { return }
        prompt = nil
        continuation.yield(.skippable(nil))
        guard let player, player.isRunning else { return }
        _ = try? await player.commands([
            [.string("disable-section"), .string(Self.skipSection)],
            [.string("show-text"), .string(""), .number(1)],
        ])
    }

    /// Enter on the prompt (mpv's binding, or the TUI): seeks past the segment, or plays the next
    /// episode now. Does nothing without a prompt.
    public func skipSegment() async {
        guard let prompt else { return }
        await withdrawPrompt()
        switch prompt.action {
        case .skip:
            await seek(toMedia: prompt.segment.end)
        case .nextEpisode:
            await handle(.advanceAutoplay)
        }
    }

    /// Seeks mpv to media position `seconds` (a WINDOW session's offset taken off).
    func seek(toMedia seconds: Double) async {
        guard let player else { return }
        let target = max(0, seconds - streamOffset)
        do {
            try await player.command([.string("seek"), .string(String(format: "%.3f", target)), .string("absolute")])
            logger.info("skipped", metadata: ["to": "\(seconds)"])
        } catch {
            logger.info("the skip could not seek", metadata: ["error": "\(error)"])
        }
    }

    /// The episode after the current one when autoplay is on (looked up once per item).
    func nextEpisode() async -> Episode? {
        guard case .episode(let episode)? = item, options.autoplayCountdown != nil else { return nil }
        if let known = upcoming, known.after == episode.id { return known.next }
        let next = try? await NextEpisode.after(episode, api: api)
        upcoming = (episode.id, next)
        return next
    }
}
