import Foundation

/// Reads newline-terminated lines from a pipe or stdin. The blocking reads run on a serial queue
/// of their own, never on the caller's executor; the buffer is only touched there.
final class LineReader: @unchecked Sendable {  // `buffer` is only used on `queue` (or before any async use)
    private let handle: FileHandle
    private var buffer = Data()
    private let queue = DispatchQueue(label: "fleet-bench.lines")

    init(_ handle: FileHandle) { self.handle = handle }

    /// The next line without its newline, or `nil` at end of input.
    func nextLine() async -> String? {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: self.readLineBlocking()) }
        }
    }

    /// Blocks this thread until a line or the end of input.
    func readLineBlocking() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                buffer = Data(buffer[buffer.index(after: newline)...])
                return line
            }
            let chunk = handle.availableData
            guard !chunk.isEmpty else {
                guard !buffer.isEmpty else { return nil }
                defer { buffer = Data() }
                return String(decoding: buffer, as: UTF8.self)
            }
            buffer += chunk
        }
    }
}
