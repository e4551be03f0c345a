/// The client's connection states (PROTOCOL.md §8): relay first, dual while swapping, direct when
/// a direct URL answers; connecting and offline around them.
public enum ConnectionState: String, Sendable, CaseIterable {
    case connecting, relay, dual, direct, offline
}
