import Foundation

/// A validated path below `/api/v1/hls/{session_id}/` (PROTOCOL.md §11.16: it may be nested).
///
/// Validation decodes percent-escapes once and rejects anything that could leave the session's
/// media folder or reach a file that is not a finished media file: `.` and `..` segments (also as
/// `%2e%2e`), absolute paths and empty segments, backslashes, control characters, hidden names and
/// ffmpeg's in-progress `*.tmp` files (PROTOCOL.md §12.22's dot-segment rule, applied server-side).
struct HLSPath: Equatable {
    /// The decoded path segments, each a plain file or folder name.
    let components: [String]

    /// The file name (last segment).
    var fileName: String { components[components.count - 1] }

    /// The path relative to the session's media folder.
    var relativePath: String { components.joined(separator: "/") }

    /// Why a path was refused.
    enum Rejection: Error, Equatable {
        /// Not a well-formed relative path (traversal, absolute, bad escapes). Answer 400.
        case malformed
        /// Well-formed but names something that is never served. Answer 404.
        case notServed
    }

    /// Validates a raw (possibly percent-encoded) path.
    init(raw: String) throws(Rejection) {
        guard !raw.isEmpty, raw.utf8.count <= 1024 else { throw .malformed }
        // Query strings (e.g. `?token=`) are the router's business, never part of the file path.
        let pathOnly = raw.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        guard let decoded = String(pathOnly).removingPercentEncoding else { throw .malformed }
        guard !decoded.hasPrefix("/") else { throw .malformed }
        guard !decoded.unicodeScalars.contains(where: { $0 == "\\" || $0.value < 0x20 || $0.value == 0x7F })
        else { throw .malformed }
        let parts = decoded.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        for part in parts {
            guard !part.isEmpty, part != ".", part != "..", !part.contains("%") else { throw .malformed }
        }
        guard parts.count <= 8 else { throw .malformed }
        if parts.contains(where: { $0.hasPrefix(".") || $0.hasSuffix(".tmp") }) { throw .notServed }
        components = parts
    }
}
