/// Why the bench stopped.
struct FleetBenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
