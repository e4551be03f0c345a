// Library operations of the browsing UI beyond the basic lists: the Next up rail and the season
// watched marks (PROTOCOL.md §14.1). Validated against both stock schemas by `StockSchemaTests`.
extension Operations {
    /// Next episodes of shows in progress, most recently watched first. Stock marks the field
    /// deprecated (merged into `continueWatching`) but both generations still answer it.
    public static func upNext(first: Int? = nil) -> GraphQLOperation<CompactList<UpNextItem>> {
        make("UpNext", root: "upNext", variables: { _ in vars([("first", first.map(GraphQLValue.int))]) }) {
            "query UpNext($first: Int) { upNext(first: $first) { \($0.upNextItem) } }"
        }
    }

    /// Marks every episode of a season watched (`markSeasonWatched`) or unwatched (`markSeasonUnwatched`).
    public static func markSeasonWatched(showId: String, seasonNumber: Int, watched: Bool) -> GraphQLOperation<ShowReference?> {
        let field = watched ? "markSeasonWatched" : "markSeasonUnwatched"
        let name = field.prefix(1).uppercased() + field.dropFirst()
        return make(name, root: field, variables: { _ in ["showId": .string(showId), "seasonNumber": .int(seasonNumber)] }) { _ in
            "mutation \(name)($showId: ID!, $seasonNumber: Int!) { \(field)(showId: $showId, seasonNumber: $seasonNumber) { id title } }"
        }
    }
}
