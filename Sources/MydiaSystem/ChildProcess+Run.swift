#if canImport(Glibc)
import Glibc
#endif
public import Foundation

extension ChildProcess {
    /// How a program run to its end ended, and what it wrote.
    public struct Completion: Sendable {
        /// Its exit code, or 128 + the signal that ended it.
        public var status: Int32
        /// Everything it wrote to standard output.
        public var output: Data
        /// Everything it wrote to standard error.
        public var errors: Data
    }

    /// The most `run` feeds to standard input: the pipe's capacity, so the whole input is in the
    /// pipe before the program starts and neither side can block on the other (nor can a program
    /// that exits without reading it raise SIGPIPE here).
    public static let maximumInput = 64 * 1024

    /// Runs `executable` (a path) to its end and collects its standard output and error.
    ///
    /// Blocks the calling thread until the program has exited: for synchronous callers (a
    /// command's `run`, a thread of one's own), never a task of the concurrency pool.
    /// - Parameters:
    ///   - input: its standard input (at most ``maximumInput`` bytes); `nil` gives `/dev/null`.
    /// - Throws: ``SpawnError`` when it cannot be started (`EFBIG` for too much input).
    public static func run(executable: String, arguments: [String], environment: [String: String],
                           input: Data? = nil) throws(SpawnError) -> Completion {
        var owned: [Int32] = []
        defer { for fd in owned { close(fd) } }
        func pipeEnds() throws(SpawnError) -> (read: Int32, write: Int32) {
            var fds: [Int32] = [-1, -1]
            guard pipe(&fds) == 0 else { throw SpawnError(code: errno, executable: executable) }
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            owned += fds
            return (fds[0], fds[1])
        }
        func closeNow(_ fd: Int32) {
            close(fd)
            owned.removeAll { $0 == fd }
        }

        var stdin = ChildProcess.Stream.null
        if let input {
            guard input.count <= maximumInput else { throw SpawnError(code: EFBIG, executable: executable) }
            let ends = try pipeEnds()
            _ = fcntl(ends.write, F_SETFL, O_NONBLOCK)
            var written = 0
            while written < input.count {
                let n = input.withUnsafeBytes { write(ends.write, $0.baseAddress! + written, input.count - written) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw SpawnError(code: errno == EAGAIN ? EFBIG : errno, executable: executable) }
                written += n
            }
            closeNow(ends.write)
            stdin = .descriptor(ends.read)
        }
        let out = try pipeEnds(), err = try pipeEnds()
        let child = try ChildProcess(executable: executable, arguments: arguments, environment: environment,
                                     stdin: stdin, stdout: .descriptor(out.write), stderr: .descriptor(err.write))
        // Only the child holds the write ends now, so reading ends when it has exited (or closed them).
        if case .descriptor(let fd) = stdin { closeNow(fd) }
        closeNow(out.write)
        closeNow(err.write)
        let (output, errors) = drain(out.read, err.read)
        return Completion(status: child.waitUntilExit(), output: output, errors: errors)
    }

    /// Reads both descriptors to their end, whichever has data first (a program that fills one
    /// pipe while we wait on the other would never finish).
    private static func drain(_ first: Int32, _ second: Int32) -> (Data, Data) {
        var polled = [pollfd(fd: first, events: Int16(POLLIN), revents: 0),
                      pollfd(fd: second, events: Int16(POLLIN), revents: 0)]
        var collected = [Data(), Data()]
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while polled.contains(where: { $0.fd >= 0 }) {
            guard poll(&polled, nfds_t(polled.count), -1) >= 0 || errno == EINTR else { break }
            for index in polled.indices where polled[index].fd >= 0 && polled[index].revents != 0 {
                let n = read(polled[index].fd, &buffer, buffer.count)
                if n > 0 {
                    collected[index].append(contentsOf: buffer[..<n])
                } else if n == 0 || errno != EINTR {
                    polled[index].fd = -1  // end of file (or a broken pipe); poll skips negative ones
                }
            }
        }
        return (collected[0], collected[1])
    }
}
