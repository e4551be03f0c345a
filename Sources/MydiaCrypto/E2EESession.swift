/// The end-to-end encryption of one relay session, from the first binary message to the last:
/// handshake first, transport after, and nothing else in either order (PROTOCOL.md §4, §12.8).
///
/// - During the handshake the first binary message from the peer is its handshake message,
///   whatever its first byte. A message that arrives while it is this side's turn to write is a
///   transport frame before completion: dropped.
/// - After the handshake every message must be a transport frame; a stray handshake message fails
///   the header check and is dropped. `seal` before completion throws.
/// - A failed handshake read is final: the caller closes the session.
public struct E2EESession: Sendable {
    /// What a received binary message turned out to be.
    public enum Event: Sendable, Equatable {
        /// The peer's handshake message, authenticated; its payload (JSON, §4.3).
        case handshakePayload([UInt8])
        /// An authenticated transport frame.
        case frame(SecureChannel.ReceivedFrame)
        /// Dropped without closing (§4.5, §11.5).
        case dropped(DropReason)
    }

    /// Why a message was dropped.
    public enum DropReason: Sendable, Equatable, CustomStringConvertible {
        /// A transport frame arrived before the handshake completed.
        case handshakeIncomplete
        /// The transport layer refused the frame.
        case frame(SecureChannel.DropReason)

        public var description: String {
            switch self {
            case .handshakeIncomplete: "frame before the handshake completed"
            case .frame(let reason): reason.description
            }
        }
    }

    /// Errors that end the session (except `plaintextTooLarge`, which only refuses one send).
    public enum Error: Swift.Error, Equatable, Sendable {
        /// `seal` before the handshake completed.
        case handshakeIncomplete
        /// A handshake message was offered after completion.
        case handshakeAlreadyComplete
        /// A handshake message was written out of turn.
        case outOfTurn
        /// The peer's handshake message did not verify: close the session (§4.5).
        case handshakeFailed(NoiseError)
        /// The session was closed or failed earlier.
        case closed
        /// One frame carries at most 64 KiB.
        case plaintextTooLarge(Int)
    }

    private enum State: Sendable {
        case handshaking(TunnelHandshake)
        case established(SecureChannel, pairingCheck: String?, remoteStaticKey: [UInt8]?)
        case closed
    }

    private var state: State
    private let configuration: SecureChannel.Configuration

    /// Starts a session from a fresh handshake.
    public init(handshake: TunnelHandshake, configuration: SecureChannel.Configuration = .init()) {
        state = .handshaking(handshake)
        self.configuration = configuration
    }

    /// Whether transport frames can flow.
    public var isEstablished: Bool {
        if case .established = state { return true }
        return false
    }

    /// The pairing check (§12.6 c), once message 1 has passed.
    public var pairingCheck: String? {
        switch state {
        case .handshaking(let hs): hs.pairingCheck
        case .established(_, let check, _): check
        case .closed: nil
        }
    }

    /// The peer's static key, once known (the instance learns the client's from message 1).
    public var remoteStaticKey: [UInt8]? {
        switch state {
        case .handshaking(let hs): hs.remoteStaticKey
        case .established(_, _, let key): key
        case .closed: nil
        }
    }

    /// Writes this side's handshake message (client: 1, instance: 2).
    public mutating func writeHandshake(payload: [UInt8]) throws(Error) -> [UInt8] {
        guard case .handshaking(var hs) = state else { throw isEstablished ? .handshakeAlreadyComplete : .closed }
        guard hs.isMyTurn else { throw .outOfTurn }
        do throws(NoiseError) {
            let message = try hs.writeMessage(payload: payload)
            try advance(hs)
            return message
        } catch {
            state = .closed
            throw .handshakeFailed(error)
        }
    }

    /// Handles one binary message from the peer.
    /// - Throws: `.handshakeFailed` when the peer's handshake message does not verify (close the
    ///   session), `.closed` after that. Bad transport frames are never thrown, only dropped.
    public mutating func receive(_ message: [UInt8]) throws(Error) -> Event {
        switch state {
        case .closed:
            throw .closed
        case .handshaking(var hs):
            guard !hs.isMyTurn else { return .dropped(.handshakeIncomplete) }
            do throws(NoiseError) {
                let payload = try hs.readMessage(message)
                try advance(hs)
                return .handshakePayload(payload)
            } catch {
                state = .closed
                throw .handshakeFailed(error)
            }
        case .established(var channel, let check, let key):
            let result = channel.open(message)
            state = .established(channel, pairingCheck: check, remoteStaticKey: key)
            switch result {
            case .accepted(let frame): return .frame(frame)
            case .dropped(let reason): return .dropped(.frame(reason))
            }
        }
    }

    /// Encrypts one transport frame.
    public mutating func seal(channel: Channel, plaintext: [UInt8]) throws(Error) -> [UInt8] {
        guard case .established(var secure, let check, let key) = state else {
            throw isClosed ? .closed : .handshakeIncomplete
        }
        do {
            let frame = try secure.seal(channel: channel, plaintext: plaintext)
            state = .established(secure, pairingCheck: check, remoteStaticKey: key)
            return frame
        } catch {
            switch error { case .plaintextTooLarge(let n): throw .plaintextTooLarge(n) }
        }
    }

    /// Encrypts one transport frame in place (`SecureChannel.seal(channel:inPlace:)`): `frame` is
    /// 11 bytes of header room, the plaintext, 16 bytes of tag room.
    public mutating func seal(channel: Channel, inPlace frame: UnsafeMutableRawBufferPointer) throws(Error) {
        guard case .established(var secure, let check, let key) = state else {
            throw isClosed ? .closed : .handshakeIncomplete
        }
        do {
            try secure.seal(channel: channel, inPlace: frame)
            state = .established(secure, pairingCheck: check, remoteStaticKey: key)
        } catch {
            switch error { case .plaintextTooLarge(let n): throw .plaintextTooLarge(n) }
        }
    }

    /// Asks for a new transmit key at the next send (the peer's `{"t":"rekey"}`, §11.12).
    public mutating func requestRekey() {
        guard case .established(var secure, let check, let key) = state else { return }
        secure.requestRekey()
        state = .established(secure, pairingCheck: check, remoteStaticKey: key)
    }

    /// Ends the session; its keys are released (and wiped by `SecretBytes`).
    public mutating func close() { state = .closed }

    private var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    private mutating func advance(_ hs: TunnelHandshake) throws(NoiseError) {
        state = hs.isComplete
            ? .established(try hs.makeChannel(configuration: configuration), pairingCheck: hs.pairingCheck, remoteStaticKey: hs.remoteStaticKey)
            : .handshaking(hs)
    }
}
