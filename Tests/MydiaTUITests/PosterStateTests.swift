import Foundation
import MydiaAPI
import Testing
@testable import MydiaTUI

/// Posters in the reducer and the detail pane: a key press only asks for the poster (once), the
/// image arrives as an event, the pane draws it in its box; failures and posters off leave the
/// pane as it was; a window over the pane hides the picture.
@Suite struct PosterStateTests {
    static func state(mode: GraphicsMode = .symbols) throws -> AppState {
        var state = try T.browsing(rows: 40, columns: 120, movies: 3)
        state.artwork = ArtworkShelf(settings: PosterSettings(mode: mode))
        for i in state.catalog.movies.items.indices {
            state.catalog.movies.items[i].artwork = try JSONDecoder().decode(Artwork.self, from: Data(#"{"posterUrl":"/api/v1/artwork/movie/m\#(i)/poster"}"#.utf8))
        }
        return state
    }

    static let image: DecodedImage = {
        var rgba: [UInt8] = []
        for y in 0..<90 { for x in 0..<60 { rgba += [UInt8(x * 4), UInt8(y * 2), 128, 255] } }
        return DecodedImage(width: 60, height: 90, rgba: rgba)
    }()

    @Test func aKeyPressAsksForThePosterOnceAndItsEventDrawsIt() throws {
        var state = try Self.state()
        let effects = T.keys(&state, .character("2"))
        let request = try #require(effects.compactMap { if case .loadArtwork(let r) = $0 { r } else { nil } }.first)
        #expect(request.url.hasSuffix("/poster") && request.settings.mode == .symbols)
        guard case .loading? = state.artwork[request.url] else { Issue.record("not marked loading"); return }
        // While it loads, the box is blank and nothing else is asked for it.
        #expect(Renderer.frame(state).pictures.isEmpty)
        #expect(!state.reduce(.tick(Date())).contains { if case .loadArtwork = $0 { true } else { false } })
        #expect(!state.reduce(.resize(rows: 40, columns: 120)).contains { if case .loadArtwork = $0 { true } else { false } })

        _ = state.reduce(.artwork(url: request.url, .ready(Self.image)))
        let frame = Renderer.frame(state)
        let picture = try #require(frame.pictures.first)
        #expect(picture.key == request.url)
        #expect(picture.column == state.layout.listWidth + 3 && picture.row == state.layout.contentTop + 1)
        guard case .symbols(let c, let r, let cells) = picture.art else { Issue.record("not symbols"); return }
        #expect(c <= request.box.columns && r <= request.box.rows && cells.count == c * r)
        // The title is above the box; the facts come after it.
        let lines = frame.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[picture.row - 1].contains("│ "))
        #expect(lines[picture.row].hasSuffix(" │ ") || lines[picture.row].hasSuffix(" │"))

        // A help window over the pane hides it.
        _ = T.keys(&state, .character("?"))
        if state.overlay != nil { #expect(Renderer.frame(state).pictures.isEmpty) }
    }

    @Test func aFailedPosterGivesItsRowsBackAndIsNotAskedAgain() throws {
        var state = try Self.state()
        let effects = T.keys(&state, .character("2"))
        let request = try #require(effects.compactMap { if case .loadArtwork(let r) = $0 { r } else { nil } }.first)
        let loadingText = Renderer.frame(state).text
        _ = state.reduce(.artwork(url: request.url, .failed("HTTP 404")))
        #expect(Renderer.frame(state).text != loadingText)  // the facts moved up
        #expect(!T.keys(&state, .character("j"), .character("k")).contains {
            if case .loadArtwork(let r) = $0 { r.url == request.url } else { false }
        })
    }

    @Test func supersededRequestsCanBeAskedForAgain() throws {
        var state = try Self.state()
        let first = try #require(T.keys(&state, .character("2")).compactMap { if case .loadArtwork(let r) = $0 { r } else { nil } }.first)
        _ = T.keys(&state, .character("j"))
        _ = T.keys(&state, .character("k"))  // back on the first movie, whose fetch is still "loading"
        let again = state.reduce(.artwork(url: first.url, .superseded))
        #expect(again.contains { if case .loadArtwork(let r) = $0 { r.url == first.url } else { false } })
    }

    @Test func postersOffAskForNothingAndDrawNothing() throws {
        var state = try Self.state(mode: .off)
        #expect(!T.keys(&state, .character("2"), .character("j")).contains { if case .loadArtwork = $0 { true } else { false } })
        #expect(Renderer.frame(state).pictures.isEmpty)
        // Narrow: no pane, no poster.
        var narrow = try Self.state()
        _ = narrow.reduce(.resize(rows: 30, columns: 70))
        #expect(!T.keys(&narrow, .character("2")).contains { if case .loadArtwork = $0 { true } else { false } })
    }

    @Test func detailBoxIsShapedForAPosterAndFitsThePane() {
        let settings = PosterSettings(mode: .symbols, cellWidth: 8, cellHeight: 16)
        #expect(settings.detailBox(width: 60, height: 60) == PosterBox(columns: 28, rows: 21))
        #expect(settings.detailBox(width: 60, height: 20) == PosterBox(columns: 13, rows: 10))
        #expect(settings.detailBox(width: 5, height: 60) == nil)
        #expect(PosterSettings(mode: .off).detailBox(width: 60, height: 60) == nil)
    }
}
