import Foundation
import MydiaAPI
public import MydiaPlayback

extension DownloadStore {
    /// What `play` needs to play `itemID` from disk: the catalog entry saved with the download and
    /// the file with its subtitle files; nil when it is not completely downloaded.
    public func playable(_ itemID: String) -> (item: PlaybackItem, media: LocalMedia)? {
        guard let record = record(itemID) else { return nil }
        let item: PlaybackItem
        if let movie = record.movie {
            item = .movie(movie)
        } else if let episode = record.episodeItem {
            item = .episode(episode)
        } else {
            return nil
        }
        // The file played is the one downloaded, first in the item's list.
        var playing = item
        switch playing {
        case .movie(var movie):
            movie.files = movie.files.filter { $0.id == record.fileId }
            playing = .movie(movie)
        case .episode(var episode):
            episode.files = episode.files.filter { $0.id == record.fileId }
            playing = .episode(episode)
        }
        guard playing.file != nil else { return nil }
        let folder = directory.completeFolder(itemID).appendingPathComponent("subtitles", isDirectory: true)
        var subtitles: [String: String] = [:]
        for subtitle in record.subtitles {
            let path = folder.appendingPathComponent(subtitle.fileName).path
            if Self.regularFileSize(path) != nil { subtitles[subtitle.trackId] = path }
        }
        return (playing, LocalMedia(path: record.path, subtitles: subtitles))
    }
}
