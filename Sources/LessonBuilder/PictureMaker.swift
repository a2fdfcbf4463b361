// LessonBuilder — the door to the picture views (Storyboard + CairoRender), kept behind a protocol so the
// builder's text, verification and file handling do not depend on how pictures are drawn.

/// Draws the picture views of one block into a lesson's folder.
public protocol PictureMaker: Sendable {
    /// Writes the files for `kind` (`animation`, `frames` or `final`) into `directory`, each file name
    /// starting with `stem`, and returns them (names relative to `directory`, with what each frame
    /// shows) in display order.
    /// - Parameters:
    ///   - kind: which view.
    ///   - outcome: the traced run of the block (events and problem).
    ///   - block: the block (`frames:` chooses frame numbers; `caption`).
    ///   - directory: the lesson's output folder (being built; it is renamed into place afterwards).
    ///   - stem: a file-name prefix unique to the block, e.g. `block-023`.
    /// - Throws: `LessonError` with the block's line; the lesson site fills in the lesson's file.
    func draw(_ kind: ShowKind, outcome: BlockOutcome, block: LessonBlock, directory: String, stem: String) throws -> [DrawnPicture]

    /// Reads a picture file back and says what any correct drawing of the same frames has in common,
    /// whatever the machine drew it (e.g. `gif, 25 frames`: no sizes or bytes, which depend on the
    /// installed Cairo and fonts). `lessons --check` compares this for pictures, not their bytes.
    /// - Throws: `LessonError` (`.io`) naming the file when it does not decode.
    func readBack(path: String) throws -> String
}
