import Graphiti

// Stock Mydia's skippable segments on `MediaFile` (PROTOCOL.md §14.1): `segments { type startMs endMs }`.

/// `enum SegmentType`.
enum SegmentTypeValue: String, Codable, Sendable, CaseIterable {
    case intro = "INTRO"
    case credits = "CREDITS"
}

/// Stock's `MediaSegment`.
struct MediaSegmentObject: Sendable {
    var type: SegmentTypeValue
    var startMs: Int
    var endMs: Int

    init(_ segment: SkipSegment) {
        type = segment.kind == .intro ? .intro : .credits
        startMs = segment.startMs
        endMs = segment.endMs
    }
}

extension MediaFileObject {
    /// The file's sidecar segments, else its chapters titled like an intro or the credits.
    func segments(context: GraphQLContext, arguments: NoArguments) async throws -> [MediaSegmentObject] {
        await context.library.segments(of: record).map(MediaSegmentObject.init)
    }
}
