// CairoRender — a Cairo surface owned by a class: created checked, finished and destroyed in deinit.
import CCairo
import CPNG

/// Owns one `cairo_surface_t`. Every constructor checks the surface status.
public final class CairoSurface {
    /// The underlying handle; valid for the lifetime of this object.
    let handle: OpaquePointer
    /// Stream sink for SVG / PDF surfaces (kept alive as long as the surface).
    let sink: ByteSink?

    private init(handle: OpaquePointer, sink: ByteSink?, what: String) throws {
        self.handle = handle
        self.sink = sink
        let status = cairo_surface_status(handle)
        guard status == CAIRO_STATUS_SUCCESS else {
            cairo_surface_destroy(handle)
            throw RenderError("cairo: could not create \(what): \(CairoSurface.text(status))")
        }
    }

    deinit {
        cairo_surface_finish(handle)
        cairo_surface_destroy(handle)
    }

    /// An ARGB32 image of `width`×`height` pixels.
    public static func image(width: Int, height: Int) throws -> CairoSurface {
        guard width > 0, height > 0, width <= 32767, height <= 32767 else {
            throw RenderError("cairo: an image of \(width)×\(height) pixels is out of range (1…32767 per side)",
                              reason: .imageTooLarge(width: width, height: height))
        }
        guard let h = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(width), Int32(height)) else {
            throw RenderError("cairo: could not create a \(width)×\(height) image")
        }
        return try CairoSurface(handle: h, sink: nil, what: "a \(width)×\(height) image")
    }

    /// An SVG 1.1 document of `width`×`height` points whose bytes go to `sink`.
    static func svg(width: Double, height: Double, sink: ByteSink) throws -> CairoSurface {
        let closure = Unmanaged.passUnretained(sink).toOpaque()
        guard let h = cairo_svg_surface_create_for_stream(byteSinkWrite, closure, width, height) else {
            throw RenderError("cairo: could not create an SVG surface")
        }
        let s = try CairoSurface(handle: h, sink: sink, what: "an SVG surface")
        cairo_svg_surface_restrict_to_version(h, CAIRO_SVG_VERSION_1_1)
        cairo_svg_surface_set_document_unit(h, CAIRO_SVG_UNIT_PT)
        try s.check("SVG setup")
        return s
    }

    /// A PDF document whose pages are `width`×`height` points; bytes go to `sink`.
    static func pdf(width: Double, height: Double, sink: ByteSink) throws -> CairoSurface {
        let closure = Unmanaged.passUnretained(sink).toOpaque()
        guard let h = cairo_pdf_surface_create_for_stream(byteSinkWrite, closure, width, height) else {
            throw RenderError("cairo: could not create a PDF surface")
        }
        let s = try CairoSurface(handle: h, sink: sink, what: "a PDF surface")
        // Fixed metadata so that the same frames give the same bytes.
        cairo_pdf_surface_set_metadata(h, CAIRO_PDF_METADATA_CREATE_DATE, "2000-01-01T00:00:00Z")
        cairo_pdf_surface_set_metadata(h, CAIRO_PDF_METADATA_MOD_DATE, "2000-01-01T00:00:00Z")
        cairo_pdf_surface_set_metadata(h, CAIRO_PDF_METADATA_CREATOR, "convtrace")
        try s.check("PDF setup")
        return s
    }

    /// Throws if the surface is in an error state.
    func check(_ step: String) throws {
        let status = cairo_surface_status(handle)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw RenderError("cairo: \(step) failed: \(CairoSurface.text(status))")
        }
        if let e = sink?.error { throw e }
    }

    /// Flushes and finishes the surface (SVG / PDF write their trailer here).
    func finish() throws {
        cairo_surface_finish(handle)
        try check("finishing the document")
    }

    /// PNG bytes of an opaque image surface: 8-bit RGB through libpng's simplified API with its fast
    /// compression setting (Cairo's own writer compresses harder and takes several times longer).
    func pngData(scratch: PNGScratch) throws -> [UInt8] {
        try withPixels { px, w, h, stride in
            // Every byte is written below, so the buffer is not cleared first (a frame is ~1 MB).
            let rgb = scratch.rgb(count: w * h * 3)
            for y in 0..<h {
                let row = px + y * stride
                var o = y * w * 3
                for x in 0..<w {
                    let v = row[x]
                    rgb[o] = UInt8(truncatingIfNeeded: v >> 16)
                    rgb[o + 1] = UInt8(truncatingIfNeeded: v >> 8)
                    rgb[o + 2] = UInt8(truncatingIfNeeded: v)
                    o += 3
                }
            }
            var image = png_image()
            image.version = png_uint_32(PNG_IMAGE_VERSION)
            image.width = png_uint_32(w)
            image.height = png_uint_32(h)
            image.format = png_uint_32(PNG_FORMAT_RGB)
            image.flags = png_uint_32(PNG_IMAGE_FLAG_FAST)
            // Room for the worst case (stored blocks) plus headers, so one call always fits.
            let out = scratch.out(count: w * h * 3 + h + 64 * 1024)
            var size = png_alloc_size_t(out.count)
            let ok = png_image_write_to_memory(&image, out.baseAddress, &size, 0, rgb.baseAddress, Int32(w * 3), nil)
            let message = withUnsafeBytes(of: image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            png_image_free(&image)
            guard ok != 0, Int(size) <= out.count else { throw RenderError("libpng: PNG encoding failed: \(message)") }
            return Array(out.prefix(Int(size)))
        }
    }

    /// Pixel rows of an ARGB32 image surface (premultiplied, native-endian 0xAARRGGBB words).
    func withPixels<R>(_ body: (UnsafePointer<UInt32>, _ width: Int, _ height: Int, _ strideWords: Int) throws -> R) throws -> R {
        cairo_surface_flush(handle)
        let w = Int(cairo_image_surface_get_width(handle)), h = Int(cairo_image_surface_get_height(handle))
        let stride = Int(cairo_image_surface_get_stride(handle))
        guard let data = cairo_image_surface_get_data(handle), w > 0, h > 0 else {
            throw RenderError("cairo: the image surface has no pixel data")
        }
        return try data.withMemoryRebound(to: UInt32.self, capacity: stride / 4 * h) {
            try body(UnsafePointer($0), w, h, stride / 4)
        }
    }

    static func text(_ status: cairo_status_t) -> String {
        guard let s = cairo_status_to_string(status) else { return "status \(status.rawValue)" }
        return String(cString: s)
    }
}

/// Collects the bytes a Cairo stream surface writes.
final class ByteSink {
    var bytes: [UInt8] = []
    var error: RenderError?
    init() {}
}

/// `cairo_write_func_t` appending to a `ByteSink` passed as the closure pointer.
let byteSinkWrite: cairo_write_func_t = { closure, data, length in
    guard let closure else { return CAIRO_STATUS_WRITE_ERROR }
    let sink = Unmanaged<ByteSink>.fromOpaque(closure).takeUnretainedValue()
    if length > 0, let data {
        sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
    }
    return CAIRO_STATUS_SUCCESS
}

/// Buffers reused by every PNG frame of a renderer: the RGB rows handed to libpng and the room it
/// compresses into. Allocating both (about 1 MB each) per frame made the PNG speed swing between two
/// bands as the allocator returned and refaulted the memory.
final class PNGScratch {
    private var rgbBuffer = UnsafeMutableBufferPointer<UInt8>(start: nil, count: 0)
    private var outBuffer = UnsafeMutableBufferPointer<UInt8>(start: nil, count: 0)

    deinit {
        rgbBuffer.deallocate()
        outBuffer.deallocate()
    }

    /// At least `count` bytes for the RGB rows (contents undefined).
    func rgb(count: Int) -> UnsafeMutableBufferPointer<UInt8> { Self.grow(&rgbBuffer, to: count) }

    /// At least `count` bytes for the compressed output (contents undefined).
    func out(count: Int) -> UnsafeMutableBufferPointer<UInt8> { Self.grow(&outBuffer, to: count) }

    private static func grow(_ b: inout UnsafeMutableBufferPointer<UInt8>, to count: Int) -> UnsafeMutableBufferPointer<UInt8> {
        if b.count < count {
            b.deallocate()
            b = .allocate(capacity: count)
        }
        return UnsafeMutableBufferPointer(rebasing: b[0..<count])
    }
}
