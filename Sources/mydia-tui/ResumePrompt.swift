import Dispatch
import Foundation
import MydiaPlayback
import MydiaTUI

/// `play --resume ask` (or `[player] resume = "ask"`): asks on the terminal whether to resume at
/// the stored position. Without a terminal to ask on (a script, a pipe) it resumes, as `auto` does.
enum ResumePrompt {
    /// The playback's resume policy for `mode`.
    static func policy(_ mode: ResumeMode) -> PlaybackOptions.Resume {
        switch mode {
        case .auto: return .auto
        case .never: return .never
        case .ask:
            guard isatty(STDIN_FILENO) == 1, isatty(STDERR_FILENO) == 1 else { return .auto }
            return .ask { position in await ask(position) }
        }
    }

    /// "Resume at 12:34? [Y/n]" on stderr; Enter or y resumes, n starts from the beginning.
    static func ask(_ position: Double) async -> Bool {
        FileHandle.standardError.write(Data("Resume at \(Format.clock(position))? [Y/n] ".utf8))
        // readLine blocks: keep it off the cooperative pool.
        let answer: String? = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: readLine()) }
        }
        return resumes(answer)
    }

    /// Whether an answer means "resume": empty, y or yes (any case); EOF resumes too.
    static func resumes(_ answer: String?) -> Bool {
        guard let answer = answer?.trimmingCharacters(in: .whitespaces).lowercased() else { return true }
        return !["n", "no"].contains(answer)
    }
}
