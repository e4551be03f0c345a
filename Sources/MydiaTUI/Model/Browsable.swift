import MydiaAPI

/// What sorting and filtering need of a movie or a show.
protocol Browsable {
    var id: String { get }
    var title: String { get }
    var originalTitle: String? { get }
    var year: Int? { get }
    var addedAt: String? { get }
    var rating: Double? { get }
    var genreNames: [String] { get }
    /// Whether it counts as watched (a show: every episode, i.e. no next episode left).
    var isWatched: Bool { get }
}

extension Movie: Browsable {
    var isWatched: Bool { progress?.watched == true }
}

extension TvShow: Browsable {
    var isWatched: Bool { nextEpisode == nil && (episodeCount ?? 0) > 0 }
}

extension ListSort {
    /// Whether `a` comes before `b`: the field (missing values last, or first when descending),
    /// then the folded title, then the id — the server's order for the same sort.
    func orders(_ a: some Browsable, _ b: some Browsable, foldedA: String, foldedB: String) -> Bool {
        func compare<T: Comparable>(_ x: T?, _ y: T?) -> Bool? {
            switch (x, y) {
            case let (x?, y?): x == y ? nil : (descending ? x > y : x < y)
            case (nil, nil): nil
            case (nil, _?): descending
            case (_?, nil): !descending
            }
        }
        let primary: Bool? = switch field {
        case .title: foldedA == foldedB ? nil : (descending ? foldedA > foldedB : foldedA < foldedB)
        case .year: compare(a.year, b.year)
        case .addedAt: compare(a.addedAt, b.addedAt)
        case .rating: compare(a.rating, b.rating)
        }
        if let primary { return primary }
        return foldedA != foldedB ? foldedA < foldedB : a.id < b.id
    }
}
