import CChafa
import CImageCodecs

/// The C libraries that turn a poster file into terminal output — libjpeg-turbo, libpng and
/// libwebp to decode it, libchafa (with GLib) to draw it — opened with `dlopen` the first time a
/// poster is decoded or drawn, never at start. `mydia-tui play`, `ls`, `login` and the playback
/// proxy show no poster, so they do not map these libraries at all (their memory stays what it
/// was before posters existed); the TUI opens each group once and keeps it for its life.
enum PosterLibraries {
    /// Why a group of libraries could not be opened: the loader's own sentence (a missing file
    /// or symbol), e.g. "libchafa.so.0: cannot open shared object file: No such file or directory".
    struct Unavailable: Error, Equatable {
        let reason: String
    }

    /// The decoders' function table, or why it could not be had. Opened on first use (a Swift
    /// `static let` is initialised once, thread-safely).
    static let codecs: Result<mydia_codecs, Unavailable> = load(mydia_codecs_load)

    /// libchafa's function table, or why it could not be had. Opened on first use.
    static let chafa: Result<mydia_chafa, Unavailable> = load(mydia_chafa_load)

    /// Runs a C loader that fills a table of function pointers (never null once it succeeded).
    private static func load<Table>(
        _ loader: (UnsafeMutablePointer<Table>?, UnsafeMutablePointer<CChar>?, Int) -> Int32
    ) -> Result<Table, Unavailable> {
        let table = UnsafeMutablePointer<Table>.allocate(capacity: 1)
        defer { table.deallocate() }
        var message = [CChar](repeating: 0, count: 512)
        let status = message.withUnsafeMutableBufferPointer { loader(table, $0.baseAddress, $0.count) }
        guard status == 0 else {
            let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return .failure(Unavailable(reason: reason.isEmpty ? "the library could not be opened" : reason))
        }
        return .success(table.move())
    }
}
