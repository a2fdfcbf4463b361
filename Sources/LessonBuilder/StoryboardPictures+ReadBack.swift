// LessonBuilder — reading a lesson picture back (CairoRender's PictureSummary) for `lessons --check`.
import CairoRender

extension StoryboardPictures {
    /// `gif, 25 frames` / `svg, 1 frame`: the format and the frame count of a picture that decodes.
    /// Sizes are left out: they follow the installed fonts' metrics.
    public func readBack(path: String) throws -> String {
        do {
            let s = try PictureSummary.read(path: path)
            return "\(s.format.rawValue), \(s.frames) frame\(s.frames == 1 ? "" : "s")"
        } catch {
            // PictureSummary's messages start with the path; LessonError adds it again.
            let text = "\(error)"
            let message = text.hasPrefix(path + ": ") ? String(text.dropFirst(path.count + 2)) : text
            throw LessonError(.io, file: path, line: 0, message)
        }
    }
}
