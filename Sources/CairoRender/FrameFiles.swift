// CairoRender — writes a storyboard's pictures into a folder: frame-0001.svg/png…, frames.pdf, animation.gif.
import Foundation
import Storyboard
import Tracing

/// The picture formats.
public enum PictureFormat: String, Sendable, CaseIterable, Hashable {
    case svg, png, pdf, gif

    /// Parses "svg,png,gif" (order kept, duplicates dropped).
    /// - Throws: `RenderError` naming the unknown format and the valid ones.
    public static func list(_ text: String) throws -> [PictureFormat] {
        var out: [PictureFormat] = []
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !part.isEmpty {
            guard let f = PictureFormat(rawValue: part) else {
                throw RenderError("unknown format \"\(part)\"; valid formats: svg, png, pdf, gif (comma-separated)")
            }
            if !out.contains(f) { out.append(f) }
        }
        guard !out.isEmpty else { throw RenderError("no format given; valid formats: svg, png, pdf, gif (comma-separated)") }
        return out
    }
}

/// Writes picture files; every file goes to a temporary name first and is renamed into place.
public enum FrameFiles {
    /// `frame-0001` style name for 0-based frame `i` of `count` (at least 4 digits).
    public static func frameName(_ i: Int, count: Int, stem: String = "frame") -> String {
        let digits = max(4, String(count).count)
        let n = String(i + 1)
        return stem + "-" + String(repeating: "0", count: max(0, digits - n.count)) + n
    }

    /// Writes `bytes` to `path` atomically (temporary file in the target's folder, then rename; a
    /// symlink is followed, a device or FIFO written directly, a folder refused: `OutputFile`).
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        do {
            try OutputFile.write(bytes, to: path)
        } catch {
            throw RenderError("cannot write \(error)")
        }
    }

    /// Renders and writes every requested format into `directory` (created if missing).
    ///
    /// Files: `<stem>-0001.svg` … and `.png` (1-based, ≥ 4 digits), `<pdfName>` with one page per
    /// frame, `<gifName>` looping. Frame files of an earlier, longer run with the same stem are removed.
    /// - Parameters:
    ///   - progress: called with (files done, files total) after each file.
    /// - Returns: the names written, relative to `directory`, in order.
    @discardableResult
    public static func write(_ renderer: FrameRenderer, formats: [PictureFormat], to directory: String,
                             stem: String = "frame", pdfName: String = "frames.pdf", gifName: String = "animation.gif",
                             progress: ((Int, Int) -> Void)? = nil) throws -> [String] {
        var isFolder: ObjCBool = false
        let existed = FileManager.default.fileExists(atPath: directory, isDirectory: &isFolder)
        if existed && !isFolder.boolValue {
            throw RenderError("\(directory) is a file, not a folder; give a folder path for the pictures")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw RenderError("cannot create the folder \(directory): \(error.localizedDescription)")
        }
        do {
            return try writeFiles(renderer, formats: formats, to: directory, stem: stem, pdfName: pdfName,
                                  gifName: gifName, progress: progress)
        } catch {
            // A folder this call created is not left behind empty (e.g. after a Cairo size error).
            if !existed, let left = try? FileManager.default.contentsOfDirectory(atPath: directory), left.isEmpty {
                try? FileManager.default.removeItem(atPath: directory)
            }
            throw error
        }
    }

    private static func writeFiles(_ renderer: FrameRenderer, formats: [PictureFormat], to directory: String,
                                   stem: String, pdfName: String, gifName: String,
                                   progress: ((Int, Int) -> Void)?) throws -> [String] {
        let n = renderer.frames.count
        var total = 0
        for f in formats { total += (f == .svg || f == .png) ? n : (f == .gif ? n : 1) }
        var done = 0
        var names: [String] = []
        for f in formats {
            switch f {
            case .svg, .png:
                for i in 0..<n {
                    let name = frameName(i, count: n, stem: stem) + "." + f.rawValue
                    try writeAtomically(f == .svg ? renderer.svg(i) : renderer.png(i), to: directory + "/" + name)
                    names.append(name)
                    done += 1
                    progress?(done, total)
                }
                removeStale(in: directory, stem: stem, ext: f.rawValue, keeping: n)
            case .pdf:
                try writeAtomically(renderer.pdf(), to: directory + "/" + pdfName)
                names.append(pdfName)
                done += 1
                progress?(done, total)
            case .gif:
                let start = done
                try renderer.writeGIF(to: directory + "/" + gifName) { k in progress?(start + k, total) }
                done += n
                names.append(gifName)
            }
        }
        return names
    }

    /// Removes `<stem>-NNNN.<ext>` files numbered above `keeping` (left by an earlier, longer run).
    static func removeStale(in directory: String, stem: String, ext: String, keeping: Int) {
        guard let items = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        let prefix = stem + "-", suffix = "." + ext
        for item in items where item.hasPrefix(prefix) && item.hasSuffix(suffix) {
            let digits = item.dropFirst(prefix.count).dropLast(suffix.count)
            guard digits.count >= 4, digits.allSatisfy(\.isNumber), let k = Int(digits), k > keeping else { continue }
            try? FileManager.default.removeItem(atPath: directory + "/" + item)
        }
    }
}
