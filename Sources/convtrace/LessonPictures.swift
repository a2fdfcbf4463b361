// convtrace (CLI) — which PictureMaker `convtrace lessons` uses (the Storyboard + CairoRender views).
import LessonBuilder

/// Chooses the picture views for lessons.
enum LessonPictures {
    /// The picture maker wired to Storyboard and CairoRender.
    static func maker() -> (any PictureMaker)? { StoryboardPictures() }
}
