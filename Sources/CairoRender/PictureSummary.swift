// CairoRender — reads a picture file back (SVG, PNG, PDF, GIF): it decodes, its size, how many frames or
// pages it holds. What a picture must be, checked without comparing bytes that depend on the Cairo, pixman,
// libpng, giflib and font versions that drew it.
import CGif
import CPNG
import Foundation

/// What a picture file holds, read back from its bytes.
///
/// `frames` does not depend on the machine that drew the file; `width` and `height` do (text is
/// measured with the installed fonts), so comparisons across machines use `frames` only.
public struct PictureSummary: Equatable, Sendable, CustomStringConvertible {
    public var format: PictureFormat
    /// Pixels for PNG and GIF; points (rounded up) for SVG and PDF.
    public var width: Int
    public var height: Int
    /// Images in a GIF, pages in a PDF; 1 for SVG and PNG.
    public var frames: Int

    public init(format: PictureFormat, width: Int, height: Int, frames: Int) {
        self.format = format; self.width = width; self.height = height; self.frames = frames
    }

    public var description: String {
        "\(format.rawValue) \(width)×\(height), \(frames) \(format == .pdf ? "page" : "frame")\(frames == 1 ? "" : "s")"
    }

    /// Reads the file at `path`; the format comes from its extension.
    ///
    /// GIFs are decoded whole with giflib and PNGs with libpng (every row, so a truncated or corrupted
    /// file fails); SVGs must be a whole `<svg>` document with a size; PDFs must start with `%PDF-`, end
    /// with `%%EOF` and say how many pages their page tree has.
    /// - Throws: `RenderError` naming the file and what is wrong with it.
    /// - Complexity: O(file size).
    public static func read(path: String) throws -> PictureSummary {
        let ext = (path as NSString).pathExtension.lowercased()
        guard let format = PictureFormat(rawValue: ext) else {
            throw RenderError("\(path): not a picture file (the extension must be one of svg, png, pdf, gif)")
        }
        switch format {
        case .gif: return try readGIF(path)
        case .png: return try readPNG(path)
        case .svg, .pdf:
            guard let data = FileManager.default.contents(atPath: path) else { throw RenderError("\(path): cannot read the file") }
            let text = String(decoding: data, as: UTF8.self)
            return format == .svg ? try readSVG(text, path) : try readPDF(text, path)
        }
    }

    private static func readGIF(_ path: String) throws -> PictureSummary {
        var err: Int32 = 0
        guard let gif = DGifOpenFileName(path, &err) else {
            throw RenderError("\(path): not a GIF: \(String(cString: GifErrorString(err)))")
        }
        defer { _ = DGifCloseFile(gif, &err) }
        guard DGifSlurp(gif) == GIF_OK else {
            throw RenderError("\(path): the GIF does not decode: \(String(cString: GifErrorString(gif.pointee.Error)))")
        }
        let count = Int(gif.pointee.ImageCount)
        guard count > 0 else { throw RenderError("\(path): the GIF has no images") }
        return PictureSummary(format: .gif, width: Int(gif.pointee.SWidth), height: Int(gif.pointee.SHeight), frames: count)
    }

    private static func readPNG(_ path: String) throws -> PictureSummary {
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        func message() -> String {
            withUnsafeBytes(of: image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        guard png_image_begin_read_from_file(&image, path) != 0 else {
            throw RenderError("\(path): not a PNG: \(message())")
        }
        image.format = png_uint_32(PNG_FORMAT_RGB)
        let w = Int(image.width), h = Int(image.height)
        guard w > 0, h > 0 else { throw RenderError("\(path): the PNG is empty (\(w)×\(h))") }
        var rows = [UInt8](repeating: 0, count: w * h * 3)
        let ok = rows.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, Int32(w * 3), nil) }
        guard ok != 0 else { throw RenderError("\(path): the PNG does not decode: \(message())") }
        return PictureSummary(format: .png, width: w, height: h, frames: 1)
    }

    private static func readSVG(_ text: String, _ path: String) throws -> PictureSummary {
        guard let open = text.range(of: "<svg"), let close = text[open.upperBound...].range(of: ">") else {
            throw RenderError("\(path): not an SVG document (no <svg> element)")
        }
        guard text.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("</svg>") else {
            throw RenderError("\(path): the SVG document is cut short (it does not end with </svg>)")
        }
        let tag = String(text[open.lowerBound..<close.upperBound])
        guard let w = points(attribute: "width", in: tag), let h = points(attribute: "height", in: tag), w > 0, h > 0 else {
            throw RenderError("\(path): the <svg> element has no positive width and height")
        }
        return PictureSummary(format: .svg, width: Int(w.rounded(.up)), height: Int(h.rounded(.up)), frames: 1)
    }

    /// `width="660pt"` → 660 (a unit, if any, is dropped).
    private static func points(attribute: String, in tag: String) -> Double? {
        guard let r = tag.range(of: " \(attribute)=\"") else { return nil }
        let value = tag[r.upperBound...].prefix { $0 != "\"" }
        return Double(value.prefix { $0.isNumber || $0 == "." })
    }

    private static func readPDF(_ text: String, _ path: String) throws -> PictureSummary {
        guard text.hasPrefix("%PDF-") else { throw RenderError("\(path): not a PDF (it does not start with %PDF-)") }
        guard text.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("%%EOF") else {
            throw RenderError("\(path): the PDF is cut short (it does not end with %%EOF)")
        }
        // The page tree root: << /Type /Pages /Kids [ … ] /Count N >>.
        guard let pages = text.range(of: "/Type /Pages"), let count = text[pages.upperBound...].range(of: "/Count "),
              let n = Int(text[count.upperBound...].prefix { $0.isNumber }), n > 0 else {
            throw RenderError("\(path): the PDF has no page tree with a page count")
        }
        var w = 0, h = 0
        if let box = text.range(of: "/MediaBox [") {
            let numbers = text[box.upperBound...].prefix { $0 != "]" }.split(separator: " ").compactMap { Double($0) }
            if numbers.count == 4 { w = Int((numbers[2] - numbers[0]).rounded(.up)); h = Int((numbers[3] - numbers[1]).rounded(.up)) }
        }
        return PictureSummary(format: .pdf, width: w, height: h, frames: n)
    }
}
