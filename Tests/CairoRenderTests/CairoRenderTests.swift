// CairoRenderTests — what the pictures must be on any Cairo: SVG documents at the canvas size, PNG size and
// the pixels of the marks, the GIF decoded back with giflib, PDF pages, determinism on one machine, file
// names, pictures read back (PictureSummary). No picture bytes are compared with committed files: they
// change with the Cairo, pixman, libpng and font versions; what a frame shows is compared as text in
// StoryboardTests (Frame.dump()) and in the lessons' frames.txt.
import CCairo
import CGif
@testable import CairoRender
import Engine
import SceneExamples
import Foundation
import Storyboard
import Testing

/// A fresh folder for files a test writes (the caller removes it).
func scratchFolder(_ label: String) throws -> String {
    let dir = NSTemporaryDirectory() + "convtrace-\(label)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

func conv5Frames(_ options: StoryboardOptions = StoryboardOptions()) throws -> [Frame] {
    let (source, events) = try Scenes.conv5x5pad1()
    return try Storyboard(source: source, options: options).frames(events: events)
}

/// The RGB of pixel (x, y) of an image surface.
func pixel(_ surface: CairoSurface, _ x: Int, _ y: Int) throws -> RGB {
    try surface.withPixels { px, _, _, stride in
        let v = px[y * stride + x]
        return RGB(r: UInt8((v >> 16) & 0xFF), g: UInt8((v >> 8) & 0xFF), b: UInt8(v & 0xFF))
    }
}

@Suite struct SVGOutput {
    /// The two frames whose SVG bytes used to be references: what they show is compared as text in
    /// StoryboardTests (conv5x5-pad1-cell-0008.txt, slope-compare-0003.txt); here, that each is drawn as a
    /// whole SVG document at the canvas size (in points), as any Cairo writes it.
    @Test func svgIsAWholeDocumentAtTheCanvasSize() throws {
        let (source, events) = try Scenes.slope(flip: false)
        let slope = try Storyboard(source: source, options: StoryboardOptions(compareFlip: true)).frames(events: events)
        let dir = try scratchFolder("svg")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (frames, i) in [(try conv5Frames(), 7), (slope, 2)] {
            let r = try FrameRenderer(frames: frames)
            try Data(try r.svg(i)).write(to: URL(fileURLWithPath: dir + "/f.svg"))
            let read = try PictureSummary.read(path: dir + "/f.svg")
            #expect(read == PictureSummary(format: .svg, width: Int(r.width), height: Int(r.height), frames: 1))
            // Twice the scale, twice the points.
            let two = try FrameRenderer(frames: frames, style: RenderStyle(scale: 2))
            try Data(try two.svg(i)).write(to: URL(fileURLWithPath: dir + "/f2.svg"))
            #expect(try PictureSummary.read(path: dir + "/f2.svg").width == 2 * Int(r.width))
        }
    }

    @Test func svgIsDeterministicAcrossSurfaces() throws {
        let frames = try conv5Frames()
        let a = try FrameRenderer(frames: frames).svg(3)
        // Other surfaces in between advance Cairo's process-wide id counters.
        let other = try FrameRenderer(frames: frames, style: RenderStyle(theme: .dark))
        _ = try other.svg(0); _ = try other.png(1); _ = try other.pdf()
        let b = try FrameRenderer(frames: frames).svg(3)
        #expect(a == b)
        let text = String(decoding: a, as: UTF8.self)
        #expect(text.hasPrefix("<?xml"))
        #expect(text.contains("version=\"1.1\""))
        let width = Int(try FrameRenderer(frames: frames).width)
        #expect(text.contains("width=\"\(width)pt\""))
    }
}

@Suite struct PNGOutput {
    @Test func pngHasTheCanvasSizeAndTheColoursOfTheMarks() throws {
        let frames = try conv5Frames()
        let r = try FrameRenderer(frames: frames)
        let png = try r.png(7)
        // PNG signature, then IHDR width and height (big-endian).
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        func be32(_ o: Int) -> Int { png[o..<o + 4].reduce(0) { $0 << 8 | Int($1) } }
        #expect(be32(16) == r.pixelWidth && be32(20) == r.pixelHeight)
        #expect(r.pixelWidth > 600 && r.pixelHeight > 400)

        let surface = try CairoSurface.image(width: r.pixelWidth, height: r.pixelHeight)
        try r.raster(7, into: surface)
        let theme = Theme.light
        let layout = r.layouts[7]
        func cellCentre(_ id: GridID, _ row: Int, _ col: Int) throws -> (Int, Int) {
            let gi = try #require(frames[7].grids.firstIndex { $0.id == id })
            let box = try #require(layout.boxes.first { $0.grid == gi })
            // A point inside the cell away from text and borders: a quarter in from the top-left corner.
            return (Int(box.x + (Double(col) + 0.2) * box.cellW), Int(box.y + (Double(row) + 0.25) * box.cellH))
        }
        #expect(try pixel(surface, 1, 1) == theme.background)
        // y[1,2] is being written; x[0,1] (padded (1,2)) is in the window; padded (0,0) is padding; y[4,4] pending.
        let (wx, wy) = try cellCentre("output.k0", 1, 2)
        #expect(try pixel(surface, wx, wy) == theme.writtenFill)
        let (ix, iy) = try cellCentre("input.c0", 1, 2)
        #expect(try pixel(surface, ix, iy) == theme.windowFill)
        let (px, py) = try cellCentre("input.c0", 6, 6)
        #expect(try pixel(surface, px, py) == theme.paddingFill)
        let (qx, qy) = try cellCentre("output.k0", 4, 4)
        #expect(try pixel(surface, qx, qy) == theme.pendingFill)
    }

    /// Every cell of every grid is painted with the fill its role and marks call for (window, written,
    /// current, padding, pending, …): the highlights a frame's text dump describes are the ones drawn.
    /// Fills are flat, so the pixel a quarter into a cell is the same on any Cairo and with any font.
    @Test func everyCellHasTheFillOfItsRoleAndMarks() throws {
        let (source, events) = try Scenes.slope(flip: false)
        let slope = try Storyboard(source: source, options: StoryboardOptions(compareFlip: true)).frames(events: events)
        let (bs, be) = try Scenes.backward()
        let backward = try Storyboard(source: bs, options: StoryboardOptions(phase: .backward)).frames(events: be)
        var checked = 0
        for (frames, picks) in [(try conv5Frames(), [0, 7, 24]), (slope, [2]), (backward, [0, 16])] {
            let r = try FrameRenderer(frames: frames)
            let surface = try CairoSurface.image(width: r.pixelWidth, height: r.pixelHeight)
            for i in picks {
                try r.raster(i, into: surface)
                for box in r.layouts[i].boxes {
                    let grid = frames[i].grids[box.grid]
                    for row in 0..<grid.rows {
                        for col in 0..<grid.columns {
                            let cell = grid.cells[row * grid.columns + col]
                            let want = r.painter.cellStyle(role: cell.role, marks: cell.marks).fill
                            let x = Int(box.x + (Double(col) + 0.2) * box.cellW), y = Int(box.y + (Double(row) + 0.25) * box.cellH)
                            #expect(try pixel(surface, x, y) == want,
                                    "frame \(i + 1), \(grid.id)[\(row),\(col)] \(cell.role) \(cell.marks)")
                            checked += 1
                        }
                    }
                }
            }
        }
        #expect(checked > 300)
    }

    @Test func pngDecodesToExactlyTheRasteredPixels() throws {
        let r = try FrameRenderer(frames: try conv5Frames())
        let png = try r.png(7)
        let dir = NSTemporaryDirectory() + "convtrace-png-\(ProcessInfo.processInfo.processIdentifier)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data(png).write(to: URL(fileURLWithPath: dir + "/f.png"))
        let decoded = try #require(cairo_image_surface_create_from_png(dir + "/f.png"))
        defer { cairo_surface_destroy(decoded) }
        #expect(cairo_surface_status(decoded) == CAIRO_STATUS_SUCCESS)
        let w = Int(cairo_image_surface_get_width(decoded)), h = Int(cairo_image_surface_get_height(decoded))
        #expect(w == r.pixelWidth && h == r.pixelHeight)
        let surface = try CairoSurface.image(width: w, height: h)
        try r.raster(7, into: surface)
        let stride = Int(cairo_image_surface_get_stride(decoded)) / 4
        let data = try #require(cairo_image_surface_get_data(decoded))
        var differing = 0
        try data.withMemoryRebound(to: UInt32.self, capacity: stride * h) { got in
            try surface.withPixels { want, _, _, wantStride in
                for y in 0..<h {
                    for x in 0..<w where got[y * stride + x] & 0xFFFFFF != want[y * wantStride + x] & 0xFFFFFF {
                        differing += 1
                    }
                }
            }
        }
        #expect(differing == 0)
    }

    @Test func scaleAndDarkTheme() throws {
        let frames = try conv5Frames()
        let one = try FrameRenderer(frames: frames)
        let two = try FrameRenderer(frames: frames, style: RenderStyle(scale: 2, theme: .dark))
        #expect(two.pixelWidth == 2 * one.pixelWidth && two.pixelHeight == 2 * one.pixelHeight)
        let surface = try CairoSurface.image(width: two.pixelWidth, height: two.pixelHeight)
        try two.raster(0, into: surface)
        #expect(try pixel(surface, 3, 3) == Theme.dark.background)
    }
}

@Suite struct GIFAndPDFOutput {
    /// Decodes a GIF and composites its frames; returns (frame count, loop extension seen, RGB per pixel).
    static func decode(_ path: String) throws -> (count: Int, looped: Bool, width: Int, height: Int, rgb: [RGB]) {
        var err: Int32 = 0
        let gif = try #require(DGifOpenFileName(path, &err))
        defer { _ = DGifCloseFile(gif, &err) }
        #expect(DGifSlurp(gif) == GIF_OK)
        let w = Int(gif.pointee.SWidth), h = Int(gif.pointee.SHeight)
        var canvas = [UInt8](repeating: 0, count: w * h)
        let map = try #require(gif.pointee.SColorMap)
        var looped = false
        for k in 0..<Int(gif.pointee.ImageCount) {
            let image = gif.pointee.SavedImages[k]
            let d = image.ImageDesc
            for e in 0..<Int(image.ExtensionBlockCount) where image.ExtensionBlocks[e].Function == APPLICATION_EXT_FUNC_CODE {
                let b = image.ExtensionBlocks[e]
                looped = looped || (b.ByteCount == 11 && String(decoding: UnsafeBufferPointer(start: b.Bytes, count: 11), as: UTF8.self) == "NETSCAPE2.0")
            }
            // A frame's transparent index leaves the pixel on screen (disposal "do not dispose").
            var clear = -1
            for e in 0..<Int(image.ExtensionBlockCount) where image.ExtensionBlocks[e].Function == GRAPHICS_EXT_FUNC_CODE {
                var gcb = GraphicsControlBlock()
                let b = image.ExtensionBlocks[e]
                if DGifExtensionToGCB(Int(b.ByteCount), b.Bytes, &gcb) == GIF_OK { clear = Int(gcb.TransparentColor) }
            }
            for y in 0..<Int(d.Height) {
                for x in 0..<Int(d.Width) {
                    let i = image.RasterBits[y * Int(d.Width) + x]
                    if Int(i) != clear { canvas[(Int(d.Top) + y) * w + Int(d.Left) + x] = i }
                }
            }
        }
        let rgb = canvas.map { i -> RGB in
            let c = map.pointee.Colors[Int(i)]
            return RGB(r: c.Red, g: c.Green, b: c.Blue)
        }
        return (Int(gif.pointee.ImageCount), looped, w, h, rgb)
    }

    @Test func twentyFiveFrameGIFDecodesBackToTheFrames() throws {
        let frames = try conv5Frames()
        #expect(frames.count == 25)
        let r = try FrameRenderer(frames: frames)
        let dir = NSTemporaryDirectory() + "convtrace-gif-\(ProcessInfo.processInfo.processIdentifier)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try r.writeGIF(to: dir + "/animation.gif")
        let all = try Self.decode(dir + "/animation.gif")
        #expect(all.count == 25)
        #expect(all.looped)
        #expect(all.width == r.pixelWidth && all.height == r.pixelHeight)
        // Frames 2… store only the rectangle that changed: compositing them must give exactly the
        // picture of frame 25 encoded on its own.
        try FrameRenderer(frames: [frames[24]]).writeGIF(to: dir + "/last.gif")
        let last = try Self.decode(dir + "/last.gif")
        #expect(last.count == 1)
        #expect(all.rgb == last.rgb)
        // And that picture is the raster quantized: flat fills exact, antialiased edges close.
        let surface = try CairoSurface.image(width: all.width, height: all.height)
        try r.raster(24, into: surface)
        var exact = 0, close = 0
        try surface.withPixels { px, w, h, stride in
            for y in 0..<h {
                for x in 0..<w {
                    let v = px[y * stride + x], c = all.rgb[y * w + x]
                    let d = max(abs(Int((v >> 16) & 0xFF) - Int(c.r)), abs(Int((v >> 8) & 0xFF) - Int(c.g)), abs(Int(v & 0xFF) - Int(c.b)))
                    if d == 0 { exact += 1 }
                    if d <= 48 { close += 1 }
                }
            }
        }
        let n = Double(all.width * all.height)
        #expect(Double(exact) / n > 0.9)
        #expect(Double(close) / n > 0.995)
    }

    @Test func pdfHasOnePagePerFrameAndFixedDates() throws {
        let frames = try conv5Frames()
        let a = try FrameRenderer(frames: frames).pdf()
        let b = try FrameRenderer(frames: frames).pdf()
        #expect(a == b)
        let text = String(decoding: a, as: UTF8.self)
        #expect(text.hasPrefix("%PDF-"))
        #expect(text.components(separatedBy: "/Type /Page\n").count - 1 + text.components(separatedBy: "/Type /Page ").count - 1 >= 25)
        #expect(text.contains("/CreationDate (20000101000000Z)"))
    }
}

@Suite struct Files {
    @Test func namesAreOneBasedWithAtLeastFourDigits() {
        #expect(FrameFiles.frameName(0, count: 25) == "frame-0001")
        #expect(FrameFiles.frameName(24, count: 25) == "frame-0025")
        #expect(FrameFiles.frameName(11_999, count: 12_000) == "frame-12000")
        #expect(FrameFiles.frameName(0, count: 12_000) == "frame-00001")
    }

    @Test func formatListsAreCheckedWithTheValidNames() throws {
        #expect(try PictureFormat.list("svg, png,gif,svg") == [.svg, .png, .gif])
        #expect(throws: RenderError.self) { try PictureFormat.list("svg,jpeg") }
        do { _ = try PictureFormat.list("jpeg") } catch { #expect("\(error)".contains("valid formats: svg, png, pdf, gif")) }
    }

    @Test func writesEveryFormatAndRemovesStaleFrames() throws {
        let dir = NSTemporaryDirectory() + "convtrace-files-\(ProcessInfo.processInfo.processIdentifier)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data("old".utf8).write(to: URL(fileURLWithPath: dir + "/frame-0099.svg"))
        let r = try FrameRenderer(frames: Array(try conv5Frames().prefix(3)))
        let names = try FrameFiles.write(r, formats: [.svg, .png, .pdf, .gif], to: dir)
        #expect(names == ["frame-0001.svg", "frame-0002.svg", "frame-0003.svg", "frame-0001.png", "frame-0002.png",
                          "frame-0003.png", "frames.pdf", "animation.gif"])
        let listed = Set(try FileManager.default.contentsOfDirectory(atPath: dir))
        #expect(listed == Set(names))
    }
}

@Suite struct ReadingPicturesBack {
    /// Every format written for the 25 frames of the 5×5 example reads back with the renderer's size and
    /// the frame count; a cut or foreign file is refused with its name and what is wrong.
    @Test func everyFormatReadsBackWithItsSizeAndFrameCount() throws {
        let dir = try scratchFolder("readback")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try FrameRenderer(frames: try conv5Frames())
        try r.writeGIF(to: dir + "/a.gif")
        try Data(try r.png(3)).write(to: URL(fileURLWithPath: dir + "/a.png"))
        try Data(try r.pdf()).write(to: URL(fileURLWithPath: dir + "/a.pdf"))
        try Data(try r.svg(3)).write(to: URL(fileURLWithPath: dir + "/a.svg"))
        #expect(try PictureSummary.read(path: dir + "/a.gif")
                == PictureSummary(format: .gif, width: r.pixelWidth, height: r.pixelHeight, frames: 25))
        #expect(try PictureSummary.read(path: dir + "/a.png")
                == PictureSummary(format: .png, width: r.pixelWidth, height: r.pixelHeight, frames: 1))
        #expect(try PictureSummary.read(path: dir + "/a.pdf")
                == PictureSummary(format: .pdf, width: Int(r.width), height: Int(r.height), frames: 25))
        #expect(try PictureSummary.read(path: dir + "/a.svg")
                == PictureSummary(format: .svg, width: Int(r.width), height: Int(r.height), frames: 1))
        #expect(try PictureSummary.read(path: dir + "/a.gif").description == "gif \(r.pixelWidth)×\(r.pixelHeight), 25 frames")

        // Cut in half, each is refused; so is a PNG that is really an SVG.
        for name in ["a.gif", "a.png", "a.pdf", "a.svg"] {
            let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))
            try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: dir + "/cut-" + name))
            do {
                let s = try PictureSummary.read(path: dir + "/cut-" + name)
                Issue.record("half of \(name) read back as \(s)")
            } catch let e as RenderError {
                #expect(e.message.hasPrefix(dir + "/cut-" + name + ": "), "\(e)")
            }
        }
        try FileManager.default.copyItem(atPath: dir + "/a.svg", toPath: dir + "/svg.png")
        #expect(throws: RenderError.self) { try PictureSummary.read(path: dir + "/svg.png") }
        #expect(throws: RenderError.self) { try PictureSummary.read(path: dir + "/a.txt") }
        #expect(throws: RenderError.self) { try PictureSummary.read(path: dir + "/missing.gif") }
    }
}
