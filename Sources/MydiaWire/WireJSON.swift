import Foundation

/// One JSON configuration for every wire message: stable key order (so bytes are reproducible in
/// tests), no escaped slashes (URLs stay readable), unknown fields ignored on decode (§12.1).
enum WireJSON {
    static let decoder = JSONDecoder()

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    static func encode(_ value: some Encodable) -> [UInt8] {
        // Encoding plain structs of strings and numbers cannot fail.
        Array(try! encoder.encode(value))
    }
}
