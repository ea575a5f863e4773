/// Vectorized transcendental functions on `SIMD8<Float>` (one AVX2 register).
/// Pure arithmetic (no table lookups, no branches per lane), so results are
/// the same bits on every run. Accuracy: `exp` within 2 ulp on [-87, 88];
/// `log1p` within 2e-7 absolute on [0, 1].
///
/// Written only with operations the compiler turns into single AVX2
/// instructions (checked in the disassembly): `replacing(with:where:)` for
/// min/max/select, float adds for rounding, integer adds and shifts on the
/// bit pattern for 2^k. `clamped`, `rounded` and Float→Int32 vector
/// conversions compile to per-lane library calls and are avoided.
public enum SIMDMath {
    public typealias V = SIMD8<Float>

    /// e^x, with x clamped to [-87, 88] (no infinities, no denormals).
    @inline(__always)
    public static func exp(_ x: V) -> V {
        var clamped = x.replacing(with: V(repeating: -87), where: x .< V(repeating: -87))
        clamped = clamped.replacing(with: V(repeating: 88), where: clamped .> V(repeating: 88))
        // k = round(x / ln2) by the 1.5·2²³ trick: adding it leaves k in the low mantissa bits.
        let magic = V(repeating: 12_582_912)
        let shifted = (clamped * V(repeating: 1.442_695_04)) + magic
        let k = shifted - magic
        // x = k·ln2 + r, |r| ≤ ln2/2 (Cody–Waite: ln2 split in two parts).
        var r = clamped.addingProduct(k, V(repeating: -0.693_359_375))
        r = r.addingProduct(k, V(repeating: 2.121_944_4e-4))
        // 2^k from k's bits: (k + 127) << 23 is the float 2^k.
        let integerK = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- unsafeBitCast(magic, to: SIMD8<Int32>.self)
        let scale = unsafeBitCast((integerK &+ 127) &<< 23, to: V.self)
        // e^r by its Taylor polynomial to r⁷ (|r| ≤ 0.35: error < 1e-8 relative).
        return polynomial(r) * scale
    }

    @inline(__always)
    public static func polynomial(_ r: V) -> V {
        // e^r ≈ 1 + r + r²·(1/2 + r·(1/6 + r·(1/24 + r·(1/120 + r·(1/720 + r/5040)))))
        var p = V(repeating: 1.0 / 5040)
        p = V(repeating: 1.0 / 720).addingProduct(p, r)
        p = V(repeating: 1.0 / 120).addingProduct(p, r)
        p = V(repeating: 1.0 / 24).addingProduct(p, r)
        p = V(repeating: 1.0 / 6).addingProduct(p, r)
        p = V(repeating: 0.5).addingProduct(p, r)
        return (V(repeating: 1) + r).addingProduct(p, r * r)
    }

    /// log(1 + t) for t in [0, 1], as 2·atanh(t / (2 + t)) by its odd series.
    @inline(__always)
    public static func log1p(_ t: V) -> V {
        let s = t / (V(repeating: 2) + t)          // s in [0, 1/3]
        let s2 = s * s
        var p = V(repeating: 1.0 / 15)
        p = V(repeating: 1.0 / 13).addingProduct(p, s2)
        p = V(repeating: 1.0 / 11).addingProduct(p, s2)
        p = V(repeating: 1.0 / 9).addingProduct(p, s2)
        p = V(repeating: 1.0 / 7).addingProduct(p, s2)
        p = V(repeating: 1.0 / 5).addingProduct(p, s2)
        p = V(repeating: 1.0 / 3).addingProduct(p, s2)
        p = V(repeating: 1).addingProduct(p, s2)
        return 2 * s * p
    }

    /// ln(x) for positive, normal x: x = 2^e·f with f in [√½, √2), ln x = e·ln2 + log1p(f − 1).
    /// Within 3e-7 relative for x in [1, 1e30] (the softmax's Σ e^(z−max) is in [1, K]).
    @inline(__always)
    public static func log(_ x: V) -> V {
        let bits = unsafeBitCast(x, to: SIMD8<Int32>.self)
        // The exponent as a float without a vector int→float conversion: put e + 1024
        // in the mantissa of 2²³ and subtract.
        let biased = ((bits &>> 23) &- 127 &+ 1024) | SIMD8<Int32>(repeating: 0x4B00_0000)
        var e = unsafeBitCast(biased, to: V.self) - V(repeating: 8_389_632)   // 2²³ + 1024
        var f = unsafeBitCast((bits & SIMD8<Int32>(repeating: 0x007F_FFFF)) | SIMD8<Int32>(repeating: 0x3F80_0000), to: V.self)
        let high = f .> V(repeating: 1.414_213_56)
        f = f.replacing(with: f * 0.5, where: high)
        e = e.replacing(with: e + 1, where: high)
        let t = f - 1
        // log1p(t) = 2·atanh(t / (2 + t)); |t/(2+t)| ≤ 0.172 here.
        let s = t / (V(repeating: 2) + t)
        let s2 = s * s
        var p = V(repeating: 1.0 / 11)
        p = V(repeating: 1.0 / 9).addingProduct(p, s2)
        p = V(repeating: 1.0 / 7).addingProduct(p, s2)
        p = V(repeating: 1.0 / 5).addingProduct(p, s2)
        p = V(repeating: 1.0 / 3).addingProduct(p, s2)
        p = V(repeating: 1).addingProduct(p, s2)
        return (2 * s * p).addingProduct(e, V(repeating: 0.693_147_18))
    }

    /// b + Σⱼ x[j]·w[j] over `count` features, in four independent FMA chains
    /// (j mod 4) added at the end: one chain would wait an FMA's latency per
    /// feature, which made the forward half of the pass slower than memory.
    @inline(__always)
    public static func dot(_ x: UnsafePointer<V>, _ w: UnsafePointer<V>, count: Int, plus b: Float) -> V {
        var s0 = V(repeating: b), s1 = V(), s2 = V(), s3 = V()
        var j = 0
        while j + 4 <= count {
            s0 = s0.addingProduct(x[j], w[j])
            s1 = s1.addingProduct(x[j + 1], w[j + 1])
            s2 = s2.addingProduct(x[j + 2], w[j + 2])
            s3 = s3.addingProduct(x[j + 3], w[j + 3])
            j += 4
        }
        while j < count { s0 = s0.addingProduct(x[j], w[j]); j += 1 }
        return (s0 + s1) + (s2 + s3)
    }

    /// σ(z) and softplus(z) sharing one exp: with e = e^-|z|,
    /// σ = (z ≥ 0 ? 1 : e) / (1 + e) and softplus = max(z, 0) + log1p(e).
    @_transparent
    public static func sigmoidAndSoftplus(_ z: V) -> (sigmoid: V, softplus: V) {
        let negative = z .< 0
        let e = exp(abs(z) * -1)
        let one = V(repeating: 1)
        let sigmoid = one.replacing(with: e, where: negative) / (one + e)
        let softplus = z.replacing(with: 0, where: negative) + log1p(e)
        return (sigmoid, softplus)
    }

    @inline(__always)
    public static func abs(_ v: V) -> V { v.replacing(with: -v, where: v .< 0) }
}
