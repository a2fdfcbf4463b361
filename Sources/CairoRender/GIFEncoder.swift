// CairoRender — animated GIF through giflib: fixed palette, Netscape loop, per-frame delay, every return code checked.
import CGif
import Foundation
import Tracing

/// Writes an animated GIF frame by frame with giflib. The file appears at `path` only when
/// `close()` succeeds (written to a temporary name, then renamed).
final class GIFEncoder {
    private var gif: UnsafeMutablePointer<GifFileType>?
    private let path: String
    /// The temporary file renamed to `finalPath` on `close()`; nil when writing through to a device or FIFO.
    private let tempPath: String?
    /// `path` with symlinks followed.
    private let finalPath: String
    private let width: Int, height: Int
    private let palette: [RGB]
    private var lookup: [UInt32: UInt8] = [:]
    /// Palette indices of the previous frame and of the current one (row-major).
    private var previous: [UInt8] = []
    private var current: [UInt8]

    init(path: String, width: Int, height: Int, palette: [RGB]) throws {
        guard width > 0, height > 0, width <= 65535, height <= 65535 else {
            throw RenderError("gif: \(width)×\(height) is out of range (1…65535 per side)")
        }
        guard !palette.isEmpty, palette.count <= 256 else { throw RenderError("gif: the palette must have 1…256 colours") }
        self.path = path
        let target: OutputTarget
        do {
            target = try OutputTarget.resolve(path)
        } catch {
            throw RenderError("gif: \(error)")
        }
        switch target {
        case .standardOutput:
            throw RenderError("gif: \(path): an animation is written into the output folder, not to standard output")
        case .writeThrough(let device):
            finalPath = device
            tempPath = nil
        case .replace(let file):
            finalPath = file
            let name = file.split(separator: "/").last.map(String.init) ?? file
            let temp = OutputTarget.folderPath(of: file) + "." + name + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
            tempPath = temp
            TemporaryFiles.register(temp)
        }
        self.width = width; self.height = height; self.palette = palette
        current = Array(repeating: 0, count: width * height)
        var err: Int32 = 0
        guard let g = EGifOpenFileName(tempPath ?? finalPath, false, &err) else {
            if let tempPath { TemporaryFiles.unregister(tempPath) }
            throw RenderError("gif: cannot create \(path): \(GIFEncoder.text(err))")
        }
        gif = g
        EGifSetGifVersion(g, true)
        // The colour map size must be a power of two.
        var size = 2
        while size < min(256, palette.count + 1) { size *= 2 }  // one spare index for transparency
        var colors = [GifColorType](repeating: GifColorType(Red: 0, Green: 0, Blue: 0), count: size)
        for (i, c) in palette.enumerated() { colors[i] = GifColorType(Red: c.r, Green: c.g, Blue: c.b) }
        guard let map = GifMakeMapObject(Int32(size), &colors) else {
            abandon()
            throw RenderError("gif: out of memory making the colour map")
        }
        defer { GifFreeMapObject(map) }
        try check(EGifPutScreenDesc(g, Int32(width), Int32(height), 8, 0, map), "writing the screen descriptor")
        // Netscape 2.0 application extension: loop forever.
        try check(EGifPutExtensionLeader(g, APPLICATION_EXT_FUNC_CODE), "starting the loop extension")
        var app = Array("NETSCAPE2.0".utf8)
        try check(EGifPutExtensionBlock(g, 11, &app), "writing the loop extension")
        var loop: [UInt8] = [1, 0, 0]
        try check(EGifPutExtensionBlock(g, 3, &loop), "writing the loop count")
        try check(EGifPutExtensionTrailer(g), "ending the loop extension")
    }

    deinit { abandon() }

    /// Closes the file without publishing it (after an error).
    private func abandon() {
        if let g = gif {
            var err: Int32 = 0
            _ = EGifCloseFile(g, &err)
            gif = nil
            if let tempPath {
                unlink(tempPath)
                TemporaryFiles.unregister(tempPath)
            }
        }
    }

    private func check(_ rc: Int32, _ step: String) throws {
        guard rc == GIF_OK else {
            let code = gif?.pointee.Error ?? 0
            abandon()
            throw RenderError("gif: \(step) failed for \(path): \(GIFEncoder.text(code))")
        }
    }

    static func text(_ code: Int32) -> String {
        guard let s = GifErrorString(code) else { return "giflib error \(code)" }
        return String(cString: s)
    }

    /// The palette index nearest to an opaque ARGB pixel (cached).
    private func index(_ argb: UInt32) -> UInt8 {
        let key = argb & 0x00FF_FFFF
        if let i = lookup[key] { return i }
        let r = Int((key >> 16) & 0xFF), g = Int((key >> 8) & 0xFF), b = Int(key & 0xFF)
        var best = 0, bestD = Int.max
        for (i, c) in palette.enumerated() {
            let dr = r - Int(c.r), dg = g - Int(c.g), db = b - Int(c.b)
            let d = 3 * dr * dr + 4 * dg * dg + 2 * db * db
            if d < bestD { bestD = d; best = i }
        }
        lookup[key] = UInt8(best)
        return UInt8(best)
    }

    /// Appends one frame of opaque ARGB32 pixels. Only the rectangle that changed since the previous
    /// frame is stored (the rest stays on screen: disposal "do not dispose").
    func addFrame(pixels: UnsafePointer<UInt32>, width w: Int, height h: Int, strideWords: Int, delay: Int) throws {
        guard let g = gif else { throw RenderError("gif: \(path) is already closed") }
        guard w == width, h == height else { throw RenderError("gif: frame is \(w)×\(h), expected \(width)×\(height)") }
        var last: (argb: UInt32, index: UInt8) = (0xFFFF_FFFF, 0)
        let (W, H) = (width, height)
        var cur = current
        current = []
        cur.withUnsafeMutableBufferPointer { dst in
            for y in 0..<H {
                let row = pixels + y * strideWords
                let base = y * W
                for x in 0..<W {
                    let p = row[x]
                    if p != last.argb { last = (p, index(p)) }
                    dst[base + x] = last.index
                }
            }
        }
        // The changed rectangle (the whole frame the first time; one pixel when nothing changed).
        var top = 0, bottom = H - 1, left = 0, right = W - 1
        if previous.count == cur.count {
            top = H; bottom = -1; left = W; right = -1
            cur.withUnsafeBufferPointer { a in
                previous.withUnsafeBufferPointer { b in
                    for y in 0..<H {
                        let base = y * W
                        var x0 = 0
                        while x0 < W && a[base + x0] == b[base + x0] { x0 += 1 }
                        if x0 == W { continue }
                        var x1 = W - 1
                        while x1 > x0 && a[base + x1] == b[base + x1] { x1 -= 1 }
                        top = min(top, y); bottom = max(bottom, y)
                        left = min(left, x0); right = max(right, x1)
                    }
                }
            }
            if bottom < 0 { top = 0; bottom = 0; left = 0; right = 0 }
        }
        current = cur
        // Inside the changed rectangle, a pixel equal to the one on screen is written as the transparent
        // index: long runs of one index compress far better than the picture again (when the palette
        // leaves an index free).
        let firstFrame = previous.count != current.count
        let clear = palette.count < 256 && !firstFrame ? palette.count : nil
        var gcb = GraphicsControlBlock(DisposalMode: DISPOSE_DO_NOT, UserInputFlag: false, DelayTime: Int32(delay),
                                       TransparentColor: clear.map(Int32.init) ?? NO_TRANSPARENT_COLOR)
        var ext = [GifByteType](repeating: 0, count: 4)
        let len = EGifGCBToExtension(&gcb, &ext)
        try check(EGifPutExtension(g, GRAPHICS_EXT_FUNC_CODE, Int32(len), &ext), "writing a frame delay")
        let rw = right - left + 1, rh = bottom - top + 1
        try check(EGifPutImageDesc(g, Int32(left), Int32(top), Int32(rw), Int32(rh), false, nil), "writing an image descriptor")
        var row = [GifPixelType](repeating: 0, count: rw)
        for y in top...bottom {
            let start = y * width + left
            row.withUnsafeMutableBufferPointer { d in
                current.withUnsafeBufferPointer { s in
                    if let clear {
                        previous.withUnsafeBufferPointer { p in
                            for x in 0..<rw { d[x] = s[start + x] == p[start + x] ? GifPixelType(clear) : s[start + x] }
                        }
                    } else {
                        for x in 0..<rw { d[x] = s[start + x] }
                    }
                }
            }
            try check(EGifPutLine(g, &row, Int32(rw)), "writing pixel row \(y)")
        }
        swap(&previous, &current)
        if current.count != previous.count { current = Array(repeating: 0, count: width * height) }
    }

    /// Finishes the file and moves it into place.
    func close() throws {
        guard let g = gif else { throw RenderError("gif: \(path) is already closed") }
        var err: Int32 = 0
        gif = nil
        let closed = EGifCloseFile(g, &err) == GIF_OK
        guard let tempPath else {
            guard closed else { throw RenderError("gif: closing \(path) failed: \(GIFEncoder.text(err))") }
            return
        }
        defer { TemporaryFiles.unregister(tempPath) }
        guard closed else {
            unlink(tempPath)
            throw RenderError("gif: closing \(path) failed: \(GIFEncoder.text(err))")
        }
        // giflib creates the file private (0600); pictures are meant to be shared.
        chmod(tempPath, 0o644)
        guard rename(tempPath, finalPath) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(tempPath)
            throw RenderError("gif: cannot move the finished file to \(path): \(reason)")
        }
    }
}
