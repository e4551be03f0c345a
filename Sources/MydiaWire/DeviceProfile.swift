import Foundation
import MydiaCrypto

/// What a player plays untouched, sent as `X-Mydia-Device-Profile` (PROTOCOL.md §14.2.7): the
/// header's value is base64url without padding of the JSON object
/// `{"containers":[…],"videoCodecs":[…],"audioCodecs":[…],"hdrFormats":[…]}`.
///
/// Limits (§14.2.7): at most ``maxEncodedBytes`` bytes of header value, ``maxEntries`` entries a
/// list, ``maxEntryLength`` characters an entry. A receiver treats a header over any limit, or one
/// that is not exactly that shape, as absent ("no profile"); it never fails the request for it.
/// Entries are kept lowercased; matching (with aliases) is in `DeviceProfile+Matching.swift`.
public struct DeviceProfile: Sendable, Equatable, Encodable {
    /// The header's name.
    public static let headerName = "X-Mydia-Device-Profile"
    /// Longest header value accepted, in bytes.
    public static let maxEncodedBytes = 4096
    /// Most entries in one list.
    public static let maxEntries = 64
    /// Longest entry, in characters.
    public static let maxEntryLength = 64

    /// Containers the player opens (`mkv`, `mp4`, `webm`, …).
    public var containers: [String]
    /// Video codecs it decodes (`h264`, `hevc`, `av1`, …).
    public var videoCodecs: [String]
    /// Audio codecs it decodes (`aac`, `opus`, `eac3`, …).
    public var audioCodecs: [String]
    /// HDR formats it renders (`hdr10`, `hlg`, `dolby vision`, …).
    public var hdrFormats: [String]

    /// Why a profile cannot be sent.
    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        /// A list has more than ``DeviceProfile/maxEntries`` entries.
        case tooManyEntries(String)
        /// An entry is longer than ``DeviceProfile/maxEntryLength`` characters.
        case entryTooLong(String)
        /// The encoded header is longer than ``DeviceProfile/maxEncodedBytes`` bytes.
        case tooLarge(Int)

        /// One plain sentence.
        public var description: String {
            switch self {
            case .tooManyEntries(let list):
                "The device profile lists more than \(DeviceProfile.maxEntries) \(list) — shorten the list."
            case .entryTooLong(let entry):
                "The device profile entry \"\(entry.prefix(20))…\" is longer than \(DeviceProfile.maxEntryLength) characters."
            case .tooLarge(let bytes):
                "The device profile encodes to \(bytes) bytes, more than \(DeviceProfile.maxEncodedBytes) — list fewer formats."
            }
        }
    }

    /// A profile from its lists; entries are lowercased and trimmed, empty ones dropped.
    public init(containers: [String] = [], videoCodecs: [String] = [], audioCodecs: [String] = [],
                hdrFormats: [String] = []) {
        self.containers = Self.normalized(containers)
        self.videoCodecs = Self.normalized(videoCodecs)
        self.audioCodecs = Self.normalized(audioCodecs)
        self.hdrFormats = Self.normalized(hdrFormats)
    }

    /// Decodes a header value. `nil` for anything over the limits or not of the documented shape:
    /// not base64url, not a JSON object, a list that is not an array of strings.
    /// Missing lists are empty; unknown keys are ignored.
    public static func decodeHeader(_ value: String) -> DeviceProfile? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.utf8.count <= maxEncodedBytes,
              trimmed.utf8.allSatisfy(Self.isBase64URLByte),
              let bytes = Encoding.fromBase64URL(trimmed)
        else { return nil }
        struct Body: Decodable {
            var containers: [String]?
            var videoCodecs: [String]?
            var audioCodecs: [String]?
            var hdrFormats: [String]?
        }
        guard let body = try? JSONDecoder().decode(Body.self, from: Data(bytes)) else { return nil }
        let lists = [body.containers, body.videoCodecs, body.audioCodecs, body.hdrFormats].map { $0 ?? [] }
        for list in lists {
            guard list.count <= maxEntries, list.allSatisfy({ $0.count <= maxEntryLength }) else { return nil }
        }
        return DeviceProfile(containers: lists[0], videoCodecs: lists[1], audioCodecs: lists[2], hdrFormats: lists[3])
    }

    /// The header value for this profile (base64url without padding of its JSON).
    /// - Throws: ``Error`` when a list, an entry or the whole value is over the limits, since a
    ///   server would ignore such a header.
    public func headerValue() throws(Error) -> String {
        for (name, list) in [("containers", containers), ("video codecs", videoCodecs),
                             ("audio codecs", audioCodecs), ("HDR formats", hdrFormats)] {
            guard list.count <= Self.maxEntries else { throw .tooManyEntries(name) }
            if let long = list.first(where: { $0.count > Self.maxEntryLength }) { throw .entryTooLong(long) }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding four string arrays cannot fail.
        let json = (try? encoder.encode(self)) ?? Data("{}".utf8)
        let value = Encoding.base64URL(json)
        guard value.utf8.count <= Self.maxEncodedBytes else { throw .tooLarge(value.utf8.count) }
        return value
    }

    private static func normalized(_ list: [String]) -> [String] {
        list.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
    }

    private static func isBase64URLByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "="):
            true
        default:
            false
        }
    }
}
