import MydiaRelay

@main
struct RelayBench {
    static func main() { print("relay bench: not implemented yet (\(RelayLimits().maxText))") }
}
