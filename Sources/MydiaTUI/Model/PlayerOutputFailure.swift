/// mpv's words when it cannot open an audio or video output (no display, no sound device), turned
/// into what happened and how to check it; any other failure passes through unchanged.
enum PlayerOutputFailure {
    /// mpv's messages for a missing video output.
    static let videoMarks = ["video output", "video_out", "--vo", "vo/", "no display", "cannot open display",
                             "failed to initialize a video", "could not initialize video"]
    /// mpv's messages for a missing audio output.
    static let audioMarks = ["audio output", "audio device", "--ao", "ao/", "failed to initialize audio",
                             "could not open/initialize audio", "no audio device"]

    /// mpv's end-of-file reason when neither output could be opened.
    static let bothMarks = ["no audio or video data played", "no video or audio"]

    /// The sentence to show for a playback failure.
    static func explain(_ sentence: String) -> String {
        let lower = sentence.lowercased()
        guard !lower.contains("mydia-tui doctor") else { return sentence }
        let both = bothMarks.contains { lower.contains($0) }
        let video = both || videoMarks.contains { lower.contains($0) }
        let audio = both || audioMarks.contains { lower.contains($0) }
        guard video || audio else { return sentence }
        let what = video && audio ? "a video or audio output" : video ? "a video output (no display?)" : "an audio output (no sound device?)"
        return "The player could not open \(what) — run `mydia-tui doctor` to check. mpv said: \(sentence)"
    }
}
