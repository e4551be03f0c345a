import Foundation

/// The fuzzy title filter: case- and accent-insensitive (`amelie` finds "Amélie à Paris"), each
/// word of the query matching the folded title as a substring or, for words of three letters or
/// more, as a subsequence (`amlie`, `tkyo stry`). A title matches if it or its original title
/// (a film's latin title beside its CJK one, or the other way round) does.
enum TitleMatch {
    /// Lower case, accents and width variants removed, so comparing is plain `contains`.
    static func fold(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
    }

    /// The folded words of a query (empty: everything matches).
    static func words(_ query: String) -> [String] {
        fold(query).split(whereSeparator: \.isWhitespace).map(String.init)
    }

    /// Whether every word matches `folded` (a title already through `fold`).
    static func matches(_ words: [String], folded: String) -> Bool {
        words.allSatisfy { word in folded.contains(word) || (word.count >= 3 && isSubsequence(word, of: folded)) }
    }

    private static func isSubsequence(_ word: String, of text: String) -> Bool {
        var wanted = word.makeIterator()
        guard var next = wanted.next() else { return true }
        for c in text where c == next {
            guard let n = wanted.next() else { return true }
            next = n
        }
        return false
    }
}
