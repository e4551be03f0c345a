/// The tunnel's transport encryption (PROTOCOL.md §4.2–§4.5, amended by §11.4, §11.12, §12.11).
///
/// Frames are `header (11) || ChaCha20-Poly1305(plaintext)` with the big-endian counter nonce
/// `00000000 || counter` and the header as associated data. This is deliberately NOT Noise's own
/// transport format: keys are assigned the seed's way round (client sends with `c2`) and the nonce
/// is big-endian.
///
/// The only way to get one is from finished handshake keys, so transport before the handshake
/// completes cannot be expressed (see `E2EESession` for the socket-level type-state).
public struct SecureChannel: Sendable {
    /// Which end of the tunnel this is; decides the key assignment of §4.2.
    public enum Role: Sendable { case client, instance }

    /// Rekey policy (§4.4): whichever limit is reached first.
    public struct Configuration: Sendable {
        /// A key is used for counters `0 ..< rekeyAfterMessages`; the next frame goes out under the
        /// next key with counter 0 (§11.12). Default 2^32; at most 2^64 − 1 (that counter is the
        /// rekey nonce and is never sent, §11.4).
        public var rekeyAfterMessages: UInt64
        /// Time after which the sender moves to the next key at its next send. Default 60 min.
        public var rekeyInterval: Duration
        /// Monotonic time source (injected so tests can move time).
        public var now: @Sendable () -> ContinuousClock.Instant

        public init(
            rekeyAfterMessages: UInt64 = 1 << 32, rekeyInterval: Duration = .seconds(3600),
            now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
        ) {
            precondition(rekeyAfterMessages > 0, "rekeyAfterMessages must be positive")
            self.rekeyAfterMessages = min(rekeyAfterMessages, .max)
            self.rekeyInterval = rekeyInterval
            self.now = now
        }
    }

    /// Why a received frame was dropped. None of these closes the session (§4.5, §11.5).
    public enum DropReason: String, Sendable, Equatable, CustomStringConvertible {
        /// Shorter than 27 bytes, wrong version, unknown channel or a reserved flag bit set.
        case malformedHeader = "malformed header"
        /// Longer than 65,563 bytes (plaintext over 64 KiB).
        case oversize
        /// Counter 2^64 − 1, which is the rekey nonce and never a frame's (§11.4).
        case reservedCounter = "reserved counter"
        /// Counter not greater than the last one accepted in this key phase.
        case replay
        /// The tag did not verify (tampered, wrong key, or a forged key-phase flip).
        case authenticationFailed = "MAC failure"

        public var description: String { rawValue }
    }

    /// An authenticated frame.
    public struct ReceivedFrame: Sendable, Equatable {
        public let channel: Channel
        public let plaintext: [UInt8]
        public let counter: UInt64
        public let keyPhase: UInt8
        /// How many counter values were skipped before this frame. Non-zero means frames were
        /// withheld in transit: the layer above must act on it (§12.11).
        public let skippedCounters: UInt64
    }

    /// What happened to a received frame.
    public enum Received: Sendable, Equatable {
        case accepted(ReceivedFrame)
        case dropped(DropReason)
    }

    /// Why a frame could not be sent.
    public enum Error: Swift.Error, Equatable, Sendable, CustomStringConvertible {
        /// The plaintext exceeds 65,536 bytes.
        case plaintextTooLarge(Int)

        public var description: String {
            switch self {
            case .plaintextTooLarge(let n): "a frame carries at most 65,536 bytes of plaintext, not \(n)"
            }
        }
    }

    public let role: Role
    public let configuration: Configuration

    // Sender state.
    private var txKey: SecretBytes
    /// Counter of the next frame to send.
    var txCounter: UInt64 = 0
    private(set) var txPhase: UInt8 = 0
    private var sentInPhase = false
    private var txPhaseStarted: ContinuousClock.Instant
    private var rekeyRequested = false

    // Receiver state.
    private var rxKey: SecretBytes
    private var nextRxKey: SecretBytes?
    private(set) var rxPhase: UInt8 = 0
    /// Highest counter accepted in the current receive phase; `nil` before the first.
    private(set) var lastAccepted: UInt64?

    /// Builds the channel from the handshake's `Split()` keys with §4.2's assignment:
    /// client tx = c2, rx = c1; instance tx = c1, rx = c2.
    public init(role: Role, c1: SecretBytes, c2: SecretBytes, configuration: Configuration = .init()) {
        precondition(c1.count == 32 && c2.count == 32)
        self.role = role
        self.configuration = configuration
        (txKey, rxKey) = role == .client ? (c2, c1) : (c1, c2)
        txPhaseStarted = configuration.now()
    }

    /// The key phase the next frame will be sent in, and its counter (for status displays).
    public var sendPosition: (keyPhase: UInt8, counter: UInt64) { (txPhase, txCounter) }

    /// Asks for a new transmit key at the next send (§4.4 "on request", §11.12 `{"t":"rekey"}`).
    public mutating func requestRekey() { rekeyRequested = true }

    /// Encrypts one frame.
    /// - Throws: `Error.plaintextTooLarge` over 65,536 bytes. Nothing is consumed then.
    public mutating func seal(channel: Channel, plaintext: [UInt8]) throws(Error) -> [UInt8] {
        guard plaintext.count <= FrameHeader.maxPlaintext else { throw .plaintextTooLarge(plaintext.count) }
        return plaintext.withUnsafeBytes { sealChecked(channel: channel, plaintext: $0) }
    }

    /// Encrypts one frame from raw bytes (the zero-copy path for media data).
    public mutating func seal(channel: Channel, plaintext: UnsafeRawBufferPointer) throws(Error) -> [UInt8] {
        guard plaintext.count <= FrameHeader.maxPlaintext else { throw .plaintextTooLarge(plaintext.count) }
        return sealChecked(channel: channel, plaintext: plaintext)
    }

    /// Seals one frame where it lies, in a buffer the caller owns (the zero-copy path: the frame is
    /// built in the buffer its socket sends). `frame` is the whole frame: 11 bytes of room for the
    /// header, the plaintext, then 16 bytes of room for the tag. The header and tag are written and
    /// the plaintext is encrypted in place; the bytes are the same as `seal(channel:plaintext:)`'s.
    /// - Throws: `Error.plaintextTooLarge` over 65,536 bytes of plaintext. Nothing is consumed then.
    public mutating func seal(channel: Channel, inPlace frame: UnsafeMutableRawBufferPointer) throws(Error) {
        precondition(frame.count >= FrameHeader.minFrame, "a frame has room for its header and tag")
        let plaintextCount = frame.count - FrameHeader.minFrame
        guard plaintextCount <= FrameHeader.maxPlaintext else { throw .plaintextTooLarge(plaintextCount) }
        let plaintext = UnsafeRawBufferPointer(rebasing: frame[FrameHeader.length..<(FrameHeader.length + plaintextCount)])
        sealChecked(channel: channel, plaintext: plaintext, into: frame)
    }

    private mutating func sealChecked(channel: Channel, plaintext: UnsafeRawBufferPointer) -> [UInt8] {
        let total = FrameHeader.length + plaintext.count + FrameHeader.tagLength
        return [UInt8](unsafeUninitializedCapacity: total) { out, n in
            sealChecked(channel: channel, plaintext: plaintext, into: UnsafeMutableRawBufferPointer(out))
            n = total
        }
    }

    /// Writes `header || ChaCha20-Poly1305(plaintext)` to `frame`. `plaintext` may be the very
    /// bytes of `frame` after the header (libsodium's ChaCha20-Poly1305 encrypts in place).
    private mutating func sealChecked(channel: Channel, plaintext: UnsafeRawBufferPointer, into frame: UnsafeMutableRawBufferPointer) {
        rekeyIfDue()
        let counter = txCounter
        writeHeader(into: frame, channel: channel, phase: txPhase, counter: counter)
        Self.withNonce(counter) { nonce in
            ChaChaPoly.seal(
                key: txKey, nonce: nonce, ad: UnsafeRawBufferPointer(rebasing: frame[0..<FrameHeader.length]),
                plaintext: plaintext, into: UnsafeMutableRawBufferPointer(rebasing: frame[FrameHeader.length...]))
        }
        txCounter += 1
        sentInPhase = true
    }

    /// Authenticates and decrypts one received frame. Receiver state changes only when the frame
    /// authenticates; a dropped frame leaves it exactly as it was.
    public mutating func open(_ frame: [UInt8]) -> Received {
        frame.withUnsafeBytes { open($0) }
    }

    /// `open` on raw bytes.
    public mutating func open(_ frame: UnsafeRawBufferPointer) -> Received {
        guard frame.count <= FrameHeader.maxFrame else { return .dropped(.oversize) }
        guard frame.count >= FrameHeader.minFrame, let header = FrameHeader(parsing: frame) else {
            return .dropped(.malformedHeader)
        }
        guard header.counter != .max else { return .dropped(.reservedCounter) }
        let flipsPhase = header.keyPhase != rxPhase
        if !flipsPhase, let lastAccepted, header.counter <= lastAccepted { return .dropped(.replay) }

        let key: SecretBytes
        if flipsPhase {
            // Derive the next key but commit nothing until the frame authenticates (§4.4).
            key = nextRxKey ?? ChaChaPoly.rekey(rxKey)
            nextRxKey = key
        } else {
            key = rxKey
        }
        let ad = UnsafeRawBufferPointer(rebasing: frame[0..<FrameHeader.length])
        let ciphertext = UnsafeRawBufferPointer(rebasing: frame[FrameHeader.length...])
        var ok = false
        let plaintext = [UInt8](unsafeUninitializedCapacity: ciphertext.count - FrameHeader.tagLength) { out, n in
            Self.withNonce(header.counter) { nonce in
                ok = ChaChaPoly.open(key: key, nonce: nonce, ad: ad, ciphertext: ciphertext, into: UnsafeMutableRawBufferPointer(out))
            }
            n = out.count
        }
        guard ok else { return .dropped(.authenticationFailed) }

        let previous: UInt64?
        if flipsPhase {
            rxKey = key
            nextRxKey = nil
            rxPhase = header.keyPhase
            previous = nil  // replay state resets with the new key
        } else {
            previous = lastAccepted
        }
        lastAccepted = header.counter
        let skipped = previous.map { header.counter - $0 - 1 } ?? header.counter
        return .accepted(ReceivedFrame(
            channel: header.channel, plaintext: plaintext, counter: header.counter,
            keyPhase: header.keyPhase, skippedCounters: skipped))
    }

    /// Moves to the next transmit key when the counter limit, the time limit or a request says so,
    /// but never before at least one frame went out in the current phase (§11.4).
    private mutating func rekeyIfDue() {
        let counterDue = txCounter >= configuration.rekeyAfterMessages || txCounter == .max
        guard counterDue || (sentInPhase && (rekeyRequested || timeDue)) else { return }
        txKey = ChaChaPoly.rekey(txKey)
        txCounter = 0
        txPhase ^= 1
        sentInPhase = false
        rekeyRequested = false
        txPhaseStarted = configuration.now()
    }

    private var timeDue: Bool {
        configuration.now() - txPhaseStarted >= configuration.rekeyInterval
    }

    private func writeHeader(into out: UnsafeMutableRawBufferPointer, channel: Channel, phase: UInt8, counter: UInt64) {
        out[0] = FrameHeader.version
        out[1] = channel.rawValue
        out[2] = phase
        withUnsafeBytes(of: counter.bigEndian) { c in
            UnsafeMutableRawBufferPointer(rebasing: out[3..<11]).copyMemory(from: c)
        }
    }

    /// `00 00 00 00 || counter (8, big-endian)` — NOT Noise's little-endian nonce (§4.2).
    private static func withNonce<R>(_ counter: UInt64, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        withUnsafeTemporaryAllocation(byteCount: 12, alignment: 4) { nonce in
            nonce.storeBytes(of: 0, toByteOffset: 0, as: UInt32.self)
            nonce.storeBytes(of: counter.bigEndian, toByteOffset: 4, as: UInt64.self)
            return body(UnsafeRawBufferPointer(nonce))
        }
    }
}
