/// The pages of a cursor connection (PROTOCOL.md §11.15), fetched one request per iteration:
/// `for try await page in client.allMovies(pageSize: 20) { … }`. A server that claims another
/// page without a new cursor ends the walk with an error instead of looping.
public struct ConnectionPages<Node: Sendable & Hashable & Codable>: AsyncSequence, Sendable {
    /// A page of the connection.
    public typealias Element = Connection<Node>

    private let client: APIClient
    private let operation: @Sendable (_ after: String?) -> GraphQLOperation<Connection<Node>?>

    /// - Parameters:
    ///   - client: runs the requests.
    ///   - operation: builds the request for the page after a cursor (`nil` = first page).
    public init(client: APIClient, operation: @escaping @Sendable (_ after: String?) -> GraphQLOperation<Connection<Node>?>) {
        self.client = client
        self.operation = operation
    }

    /// Loads every page and returns all nodes in order.
    public func collect() async throws -> [Node] {
        var nodes: [Node] = []
        for try await page in self { nodes += page.nodes }
        return nodes
    }

    /// Iterates pages.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let client: APIClient
        let operation: @Sendable (String?) -> GraphQLOperation<Connection<Node>?>
        var cursor: String?
        var seen: Set<String> = []
        var finished = false

        /// The next page, or `nil` after the last one.
        public mutating func next() async throws -> Connection<Node>? {
            guard !finished else { return nil }
            let page = try await client.perform(operation(cursor)) ?? .empty
            if page.pageInfo.hasNextPage {
                guard let next = page.pageInfo.endCursor, !seen.contains(next) else {
                    finished = true
                    throw APIClient.Error.invalidResponse("a page request (the next-page cursor did not advance)")
                }
                seen.insert(next)
                cursor = next
            } else {
                finished = true
            }
            return page
        }
    }

    /// A fresh iterator starting at the first page.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(client: client, operation: operation) }
}
