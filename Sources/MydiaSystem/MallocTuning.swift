#if canImport(Glibc)
import Glibc
#endif

/// glibc's allocator, set by each of the three programs before any thread starts (PROTOCOL.md
/// §13.73, §13.73): one arena instead of one per thread that ever allocated, and body buffers (up
/// to 256 KiB) from the heap rather than from a fresh `mmap` each, with at most 1 MiB of free heap
/// kept. A streamed body passes through
/// buffers allocated on one thread and freed on another: with an arena per thread each kept its
/// high-water mark (about 9 MB more while streaming), and with buffers mapped and unmapped one by
/// one every chunk paid its page faults (the proxy ran at about 250 instead of 380 MB/s).
/// Per-thread caches (tcache) keep the single arena's lock cheap.
/// (`mallopt` is declared in `<malloc.h>`, which the Glibc module does not export: it is looked up
/// by name, with the parameter numbers from that header. Elsewhere this does nothing.)
public enum MallocTuning {
    private typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    private static let arenaMax: Int32 = -8  // M_ARENA_MAX
    private static let trimThreshold: Int32 = -1  // M_TRIM_THRESHOLD
    private static let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD

    public static func apply() {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        _ = mallopt(arenaMax, 1)
        _ = mallopt(mmapThreshold, 1 << 20)
        _ = mallopt(trimThreshold, 1 << 20)
        #endif
    }
}
