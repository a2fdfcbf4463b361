// LessonBuilder — one picture file a lesson links, and what it shows (the text the frame manifest holds).

/// A picture file written for a lesson block, with a description of every frame it shows.
public struct DrawnPicture: Sendable, Equatable {
    /// The file name, relative to the lesson's folder (e.g. `block-015-animation.gif`).
    public var file: String
    /// What each frame of the picture shows, in display order, as stable text (`Frame.dump()`); one
    /// entry for an SVG frame, one per image for a GIF. The same on every machine: no Cairo, no fonts.
    public var frames: [String]
    /// What the picture shows, in words made from its frames (the page's alt text); "" for none.
    public var alt: String

    public init(file: String, frames: [String], alt: String = "") {
        self.file = file; self.frames = frames; self.alt = alt
    }
}
