// LessonBuilder — a Jupyter notebook (.ipynb) read as a lesson document: the convtrace claims of its Markdown cells.
import Foundation

extension LessonDocument {
    /// Reads the Markdown cells of the notebook at `path` (nbformat 4: `cells[].cell_type`, `source`
    /// as a string or a list of lines). Each block keeps its cell number (`notebookCell`, 1-based over
    /// all cells, as Jupyter shows them) and its line inside the cell. Code cells are not read.
    /// - Throws: `LessonError` — `.io` when unreadable, `.malformed` when it is not a notebook or a
    ///   block is malformed (naming the cell).
    public init(notebookAt path: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw LessonError(.io, file: path, line: 0, "cannot read the file: \(error.localizedDescription)")
        }
        try self.init(notebook: data, file: path)
    }

    /// Parses notebook JSON (see `init(notebookAt:)`); `file` names it in messages.
    public init(notebook data: Data, file: String) throws {
        let valid = "a Jupyter notebook: a JSON object with a `cells` list (nbformat 4)"
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let cells = root["cells"] as? [Any] else {
            throw LessonError(.malformed, file: file, line: 0, "is not \(valid)")
        }
        var segments: [Segment] = []
        for (index, item) in cells.enumerated() {
            guard let cell = item as? [String: Any], cell["cell_type"] as? String == "markdown" else { continue }
            let text: String
            if let lines = cell["source"] as? [String] {
                text = lines.joined()
            } else if let single = cell["source"] as? String {
                text = single
            } else {
                throw LessonError(.malformed, file: file, line: 0, "cell \(index + 1): `source` is neither text nor a list of lines; expected \(valid)")
            }
            let document: LessonDocument
            do {
                document = try LessonDocument(markdown: text, file: file)
            } catch let error as LessonError {
                throw LessonError(error.kind, file: file, line: 0, "cell \(index + 1), line \(error.line): \(error.message)")
            }
            for segment in document.segments {
                if case .block(var block) = segment {
                    block.notebookCell = index + 1
                    segments.append(.block(block))
                } else {
                    segments.append(segment)
                }
            }
        }
        self.file = file
        self.segments = segments
    }
}
