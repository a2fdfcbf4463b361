// Engine — tanh computed by the engine itself, eight values at a time, the same bits traced and untraced.

/// tanh(x) for eight lanes, Cephes' method: a rational function of x² below |x| = 0.625, else
/// 1 − 2 / (e^{2|x|} + 1) with e^y from a Cody–Waite reduction and a Padé form (Cephes `exp`).
///
/// Why not libm: glibc's `tanh` costs ~20–50 ns a value on this machine (it calls `expm1` through an
/// IFUNC, so its last bit even depends on whether the CPU has FMA), which alone made LeNet-5's untraced
/// pass slower than PyTorch's. This routine runs ~1 ns a value, is within 2 ulp of the exact tanh
/// (checked against `Float80` in ActivationTests), and gives the same bits on every x86-64 and arm64
/// machine: only +, −, ×, ÷ and bit operations, never fused. The traced path calls `scalar`, which is
/// lane 0 of the same vector code, so traced and untraced values agree bit for bit.
///
/// Special values as PyTorch: tanh(±0) = ±0, tanh(±∞) = ±1, tanh(NaN) = NaN; |x| < 2⁻²⁸ gives x.
@usableFromInline
enum TanhKernel {
    // Cephes tanh.c: tanh(x) = x + x·s·P(s)/Q(s), s = x², for |x| < 0.625.
    @usableFromInline static let p0 = -9.64399179425052238628E-1
    @usableFromInline static let p1 = -9.92877231001918586564E1
    @usableFromInline static let p2 = -1.61468768441708447952E3
    @usableFromInline static let q0 = 1.12811678491632931402E2
    @usableFromInline static let q1 = 2.23548839060100448583E3
    @usableFromInline static let q2 = 4.84406305325125486048E3

    // Cephes exp.c: e^r = 1 + 2·r·P(r²) / (Q(r²) − r·P(r²)) for |r| ≤ ln2/2, and ln 2 = c1 + c2.
    @usableFromInline static let ep0 = 1.26177193074810590878E-4
    @usableFromInline static let ep1 = 3.02994407707441961300E-2
    @usableFromInline static let ep2 = 9.99999999999999999910E-1
    @usableFromInline static let eq0 = 3.00198505138664455042E-6
    @usableFromInline static let eq1 = 2.52448340349684104192E-3
    @usableFromInline static let eq2 = 2.27265548208155028766E-1
    @usableFromInline static let eq3 = 2.00000000000000000009E0
    @usableFromInline static let c1 = 6.93145751953125E-1
    @usableFromInline static let c2 = 1.42860682030941723212E-6
    @usableFromInline static let log2e = 1.4426950408889634073599

    /// tanh of one value: lane 0 of `vector`, so it is the vector's value to the bit.
    @inlinable
    static func scalar(_ x: Double) -> Double { vector(SIMD8(repeating: x))[0] }

    /// tanh of eight values.
    @inlinable @inline(__always)
    static func vector(_ x: SIMD8<Double>) -> SIMD8<Double> {
        let bits = unsafeBitCast(x, to: SIMD8<UInt64>.self)
        let signBit = SIMD8<UInt64>(repeating: 0x8000_0000_0000_0000)
        let a = unsafeBitCast(bits & ~signBit, to: SIMD8<Double>.self)  // |x|

        // |x| < 0.625: the rational function of s = x².
        let s = x * x
        let p = (SIMD8(repeating: p0) * s + SIMD8(repeating: p1)) * s + SIMD8(repeating: p2)
        let q = ((s + SIMD8(repeating: q0)) * s + SIMD8(repeating: q1)) * s + SIMD8(repeating: q2)
        let near = x + x * s * (p / q)

        // |x| ≥ 0.625: 1 − 2/(e^{2z} + 1), z = min(|x|, 20) (beyond 19.1 the result rounds to 1).
        let z = a.replacing(with: 20, where: .!(a .< 20))  // also maps NaN lanes to 20; they are replaced below
        let e = exp(z + z)
        let far = SIMD8(repeating: 1) - SIMD8(repeating: 2) / (e + SIMD8(repeating: 1))
        let farSigned = unsafeBitCast(unsafeBitCast(far, to: SIMD8<UInt64>.self) | (bits & signBit), to: SIMD8<Double>.self)

        var y = farSigned.replacing(with: near, where: a .< 0.625)
        y.replace(with: x, where: a .< 0x1p-28)  // ±0 and tiny values: tanh(x) rounds to x
        y.replace(with: x, where: x .!= x)       // NaN stays NaN
        return y
    }

    /// e^y for 0 ≤ y ≤ 40 (what `vector` asks for): y = n·ln2 + r, e^y = 2ⁿ·e^r.
    @inlinable @inline(__always)
    static func exp(_ y: SIMD8<Double>) -> SIMD8<Double> {
        // n = y·log₂e rounded to the nearest integer (the 1.5·2⁵² trick keeps it in floating point).
        let magic = SIMD8<Double>(repeating: 0x1.8p52)
        let shifted = y * SIMD8(repeating: log2e) + magic
        let n = shifted - magic
        var r = y - n * SIMD8(repeating: c1)
        r = r - n * SIMD8(repeating: c2)
        let rr = r * r
        let pr = r * ((SIMD8(repeating: ep0) * rr + SIMD8(repeating: ep1)) * rr + SIMD8(repeating: ep2))
        let qr = ((SIMD8(repeating: eq0) * rr + SIMD8(repeating: eq1)) * rr + SIMD8(repeating: eq2)) * rr
            + SIMD8(repeating: eq3)
        let er = SIMD8(repeating: 1) + SIMD8(repeating: 2) * (pr / (qr - pr))
        // 2ⁿ from n's bits: the low mantissa bits of `shifted` hold n (0 ≤ n ≤ 58 here).
        let nBits = unsafeBitCast(shifted, to: SIMD8<UInt64>.self) &- unsafeBitCast(magic, to: SIMD8<UInt64>.self)
        let twoN = unsafeBitCast((nBits &+ 1023) &<< 52, to: SIMD8<Double>.self)
        return er * twoN
    }

    /// Y = tanh(X) over `count` values (untraced forward).
    @inlinable
    static func apply(_ X: UnsafePointer<Double>, _ Y: UnsafeMutablePointer<Double>, count: Int) {
        var i = 0
        while i + 8 <= count {
            let v = vector(UnsafeRawPointer(X + i).loadUnaligned(as: SIMD8<Double>.self))
            UnsafeMutableRawPointer(Y + i).storeBytes(of: v, as: SIMD8<Double>.self)
            i += 8
        }
        if i < count {
            var tail = SIMD8<Double>(repeating: 0)
            for l in 0..<(count - i) { tail[l] = X[i + l] }
            let v = vector(tail)
            for l in 0..<(count - i) { Y[i + l] = v[l] }
        }
    }
}
