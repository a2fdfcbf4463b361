// CEngineKernels — the untraced conv2d inner loops (see include/CEngineKernels.h and Engine's Conv2DRowKernels).
//
// Buffers read eight at a time carry 16 readable doubles after their end (Conv2DRowKernels.slack).
//
// Bit-identical to Engine's traced loops: each vector lane is one output or gradient cell, starts from +0,
// and adds that cell's products one at a time in the traced order. Contraction into fused multiply-adds is
// off, and vector extensions never reassociate, so the vector width (SSE2, AVX2, AVX-512, chosen at run time
// through target_clones) changes the speed, not a bit of the result. Several independent cells ("tiles")
// advance in lockstep so that the adds, which each wait for the previous add of their cell, overlap.
#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

#include "CEngineKernels.h"

typedef double v8 __attribute__((vector_size(64)));
typedef double v8u __attribute__((vector_size(64), aligned(8)));

#if defined(__x86_64__) && defined(__ELF__) && defined(__clang__)
#define CT_MULTIVERSION __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CT_MULTIVERSION
#endif

/// Independent cells advanced together.
#define TILES 4

// Macros, not functions: a function taking or returning a 512-bit vector would fix one calling convention
// for every vector width.
#define LOAD8(p) (*(const v8u *)(p))
#define SPLAT(k) ((v8){(k), (k), (k), (k), (k), (k), (k), (k)})
#define ZERO8 ((v8){0, 0, 0, 0, 0, 0, 0, 0})
#define STORE8(v, p, count)                                                    \
    do {                                                                       \
        double *store_ = (p);                                                  \
        long count_ = (count);                                                 \
        if (count_ >= 8) {                                                     \
            *(v8u *)store_ = (v);                                              \
        } else {                                                               \
            for (long l_ = 0; l_ < count_; l_++) store_[l_] = (v)[l_];         \
        }                                                                      \
    } while (0)

/// The forward loops; inlined twice below, once with Fw = 5 (LeNet's and the bench's kernels) so that the
/// compiler unrolls the tap loop, once for any width.
static inline __attribute__((always_inline)) void conv_forward(
    long N, long F, long C, long Fh, long Fw, long Ho, long Wo, long Hp, long Wp,
    const double *xp, const double *kt, const double *bias, double *y) {
    long blocks = (Wo + 7) / 8, perRow = F * blocks;
    for (long n = 0; n < N; n++) {
        for (long oy = 0; oy < Ho; oy++) {
            // Tiles (k, x0) of this output row, TILES at a time; missing tiles repeat tile t0 and are not stored.
            for (long t0 = 0; t0 < perRow; t0 += TILES) {
                const double *xs[TILES], *ks[TILES];
                long k[TILES], x0[TILES];
                for (int t = 0; t < TILES; t++) {
                    long tile = t0 + t < perRow ? t0 + t : t0;
                    k[t] = tile / blocks;
                    x0[t] = (tile % blocks) * 8;
                    xs[t] = xp + n * C * Hp * Wp + oy * Wp + x0[t];
                    ks[t] = kt + k[t] * C * Fh * Fw;
                }
                v8 acc[TILES];
                for (int t = 0; t < TILES; t++) acc[t] = ZERO8;
                for (long c = 0; c < C; c++) {
                    for (long i = 0; i < Fh; i++) {
                        long xo = (c * Hp + i) * Wp, ko = (c * Fh + i) * Fw;
                        if (Fw == 5) {  // two loads per row, the five shifted windows cut from them
                            for (int t = 0; t < TILES; t++) {
                                v8 lo = LOAD8(xs[t] + xo), hi = LOAD8(xs[t] + xo + 8);
                                const double *kr = ks[t] + ko;
                                acc[t] += lo * SPLAT(kr[0]);
                                acc[t] += __builtin_shufflevector(lo, hi, 1, 2, 3, 4, 5, 6, 7, 8) * SPLAT(kr[1]);
                                acc[t] += __builtin_shufflevector(lo, hi, 2, 3, 4, 5, 6, 7, 8, 9) * SPLAT(kr[2]);
                                acc[t] += __builtin_shufflevector(lo, hi, 3, 4, 5, 6, 7, 8, 9, 10) * SPLAT(kr[3]);
                                acc[t] += __builtin_shufflevector(lo, hi, 4, 5, 6, 7, 8, 9, 10, 11) * SPLAT(kr[4]);
                            }
                        } else {
                            for (long j = 0; j < Fw; j++) {
                                for (int t = 0; t < TILES; t++) acc[t] += LOAD8(xs[t] + xo + j) * SPLAT(ks[t][ko + j]);
                            }
                        }
                    }
                }
                for (int t = 0; t < TILES && t0 + t < perRow; t++) {
                    if (bias) acc[t] += SPLAT(bias[k[t]]);
                    STORE8(acc[t], y + ((n * F + k[t]) * Ho + oy) * Wo + x0[t], Wo - x0[t]);
                }
            }
        }
    }
}

CT_MULTIVERSION
void ct_conv_forward(long N, long F, long C, long Fh, long Fw, long Ho, long Wo, long Hp, long Wp,
                     const double *xp, const double *kt, const double *bias, double *y) {
    if (Fw == 5) {
        conv_forward(N, F, C, Fh, 5, Ho, Wo, Hp, Wp, xp, kt, bias, y);
    } else {
        conv_forward(N, F, C, Fh, Fw, Ho, Wo, Hp, Wp, xp, kt, bias, y);
    }
}

CT_MULTIVERSION
void ct_conv_kernel_grad(long N, long F, long C, long Fh, long Fw, long Ho, long Wo, long Hp, long Wp,
                         const double *xp, const double *dy, double *dk, int flip) {
    long cells = F * C * Fh;  // tiles (k, c, i): one kernel row each, lanes are the taps j
    for (long t0 = 0; t0 < cells; t0 += TILES) {
        long k[TILES], c[TILES], i[TILES];
        for (int t = 0; t < TILES; t++) {
            long tile = t0 + t < cells ? t0 + t : t0;
            k[t] = tile / (C * Fh);
            c[t] = tile / Fh % C;
            i[t] = tile % Fh;
        }
        v8 acc[TILES];
        for (int t = 0; t < TILES; t++) acc[t] = ZERO8;
        for (long n = 0; n < N; n++) {
            const double *rows[TILES], *dys[TILES];
            for (int t = 0; t < TILES; t++) {
                rows[t] = xp + (n * C + c[t]) * Hp * Wp + i[t] * Wp;
                dys[t] = dy + (n * F + k[t]) * Ho * Wo;
            }
            for (long oy = 0; oy < Ho; oy++) {
                for (long ox = 0; ox < Wo; ox++) {
                    for (int t = 0; t < TILES; t++) {
                        acc[t] += SPLAT(dys[t][oy * Wo + ox]) * LOAD8(rows[t] + oy * Wp + ox);
                    }
                }
            }
        }
        for (int t = 0; t < TILES && t0 + t < cells; t++) {
            long ki = flip ? Fh - 1 - i[t] : i[t];
            double *cell = dk + ((k[t] * C + c[t]) * Fh + ki) * Fw;
            for (long j = 0; j < Fw; j++) cell[flip ? Fw - 1 - j : j] = acc[t][j];
        }
    }
}

/// The input-gradient loops; inlined with Fw = 5 and for any width, as `conv_forward`.
static inline __attribute__((always_inline)) void conv_input_grad(
    long N, long F, long C, long H, long W, long Fh, long Fw, long Ho, long Wo, long Wq,
    long top, long left, const double *q, const double *kt, double *dx) {
    long blocks = (W + 7) / 8, perRow = C * blocks;
    for (long n = 0; n < N; n++) {
        for (long h = 0; h < H; h++) {
            long hp = h + top;
            long iLow = hp - (Ho - 1) > 0 ? hp - (Ho - 1) : 0;  // the rows i with 0 ≤ hp − i < Ho
            long iHigh = hp < Fh - 1 ? hp : Fh - 1;
            // Tiles (c, w0) of this input row: the same rows i for all, so they run in lockstep.
            for (long t0 = 0; t0 < perRow; t0 += TILES) {
                long c[TILES], w0[TILES];
                for (int t = 0; t < TILES; t++) {
                    long tile = t0 + t < perRow ? t0 + t : t0;
                    c[t] = tile / blocks;
                    w0[t] = (tile % blocks) * 8;
                }
                v8 acc[TILES];
                for (int t = 0; t < TILES; t++) acc[t] = ZERO8;
                for (long k = 0; k < F; k++) {
                    const double *plane = q + (n * F + k) * Ho * Wq + left + Fw - 1;
                    for (long i = iHigh; i >= iLow; i--) {
                        const double *src = plane + (hp - i) * Wq;
                        if (Fw == 5) {  // two loads per row, the windows at w0 − 4 … w0 cut from them
                            for (int t = 0; t < TILES; t++) {
                                v8 lo = LOAD8(src + w0[t] - 4), hi = LOAD8(src + w0[t] + 4);
                                const double *kr = kt + ((k * C + c[t]) * Fh + i) * Fw;
                                acc[t] += lo * SPLAT(kr[4]);  // j = 4, 3, 2, 1, 0: the traced order
                                acc[t] += __builtin_shufflevector(lo, hi, 1, 2, 3, 4, 5, 6, 7, 8) * SPLAT(kr[3]);
                                acc[t] += __builtin_shufflevector(lo, hi, 2, 3, 4, 5, 6, 7, 8, 9) * SPLAT(kr[2]);
                                acc[t] += __builtin_shufflevector(lo, hi, 3, 4, 5, 6, 7, 8, 9, 10) * SPLAT(kr[1]);
                                acc[t] += __builtin_shufflevector(lo, hi, 4, 5, 6, 7, 8, 9, 10, 11) * SPLAT(kr[0]);
                            }
                        } else {
                            for (long j = Fw - 1; j >= 0; j--) {
                                for (int t = 0; t < TILES; t++) {
                                    acc[t] += LOAD8(src + w0[t] - j) * SPLAT(kt[((k * C + c[t]) * Fh + i) * Fw + j]);
                                }
                            }
                        }
                    }
                }
                for (int t = 0; t < TILES && t0 + t < perRow; t++) {
                    STORE8(acc[t], dx + ((n * C + c[t]) * H + h) * W + w0[t], W - w0[t]);
                }
            }
        }
    }
}

void ct_conv_bias_grad(long N, long F, long plane, const double *dy, double *db) {
    for (long k0 = 0; k0 < F; k0 += 8) {
        long count = F - k0 < 8 ? F - k0 : 8;
        double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (long n = 0; n < N; n++) {
            const double *base = dy + (n * F + k0) * plane;
            for (long o = 0; o < plane; o++) {
                for (long t = 0; t < count; t++) acc[t] += base[t * plane + o];
            }
        }
        for (long t = 0; t < count; t++) db[k0 + t] = acc[t];
    }
}

CT_MULTIVERSION
void ct_conv_input_grad(long N, long F, long C, long H, long W, long Fh, long Fw, long Ho, long Wo, long Wq,
                        long top, long left, const double *q, const double *kt, double *dx) {
    if (Fw == 5) {
        conv_input_grad(N, F, C, H, W, Fh, 5, Ho, Wo, Wq, top, left, q, kt, dx);
    } else {
        conv_input_grad(N, F, C, H, W, Fh, Fw, Ho, Wo, Wq, top, left, q, kt, dx);
    }
}

#define SHUF __builtin_shufflevector

CT_MULTIVERSION
void ct_linear_forward(long N, long fin, long fout, const double *x, const double *w, const double *bias, double *y) {
    for (long n = 0; n < N; n++) {
        const double *xr = x + n * fin;
        long o0 = 0;
        for (; o0 + 8 <= fout; o0 += 8) {  // lanes: outputs o0..o0+7
            const double *r = w + o0 * fin;
            v8 acc = ZERO8;
            long i0 = 0;
            for (; i0 + 8 <= fin; i0 += 8) {
                // Eight rows of eight weights, transposed into eight columns c_j = w[o0..o0+7, i0+j].
                v8 r0 = LOAD8(r + i0), r1 = LOAD8(r + fin + i0), r2 = LOAD8(r + 2 * fin + i0);
                v8 r3 = LOAD8(r + 3 * fin + i0), r4 = LOAD8(r + 4 * fin + i0), r5 = LOAD8(r + 5 * fin + i0);
                v8 r6 = LOAD8(r + 6 * fin + i0), r7 = LOAD8(r + 7 * fin + i0);
                v8 t0 = SHUF(r0, r1, 0, 8, 2, 10, 4, 12, 6, 14), t1 = SHUF(r0, r1, 1, 9, 3, 11, 5, 13, 7, 15);
                v8 t2 = SHUF(r2, r3, 0, 8, 2, 10, 4, 12, 6, 14), t3 = SHUF(r2, r3, 1, 9, 3, 11, 5, 13, 7, 15);
                v8 t4 = SHUF(r4, r5, 0, 8, 2, 10, 4, 12, 6, 14), t5 = SHUF(r4, r5, 1, 9, 3, 11, 5, 13, 7, 15);
                v8 t6 = SHUF(r6, r7, 0, 8, 2, 10, 4, 12, 6, 14), t7 = SHUF(r6, r7, 1, 9, 3, 11, 5, 13, 7, 15);
                v8 u0 = SHUF(t0, t2, 0, 1, 8, 9, 4, 5, 12, 13), u2 = SHUF(t0, t2, 2, 3, 10, 11, 6, 7, 14, 15);
                v8 u1 = SHUF(t1, t3, 0, 1, 8, 9, 4, 5, 12, 13), u3 = SHUF(t1, t3, 2, 3, 10, 11, 6, 7, 14, 15);
                v8 u4 = SHUF(t4, t6, 0, 1, 8, 9, 4, 5, 12, 13), u6 = SHUF(t4, t6, 2, 3, 10, 11, 6, 7, 14, 15);
                v8 u5 = SHUF(t5, t7, 0, 1, 8, 9, 4, 5, 12, 13), u7 = SHUF(t5, t7, 2, 3, 10, 11, 6, 7, 14, 15);
                v8 c0 = SHUF(u0, u4, 0, 1, 2, 3, 8, 9, 10, 11), c4 = SHUF(u0, u4, 4, 5, 6, 7, 12, 13, 14, 15);
                v8 c1 = SHUF(u1, u5, 0, 1, 2, 3, 8, 9, 10, 11), c5 = SHUF(u1, u5, 4, 5, 6, 7, 12, 13, 14, 15);
                v8 c2 = SHUF(u2, u6, 0, 1, 2, 3, 8, 9, 10, 11), c6 = SHUF(u2, u6, 4, 5, 6, 7, 12, 13, 14, 15);
                v8 c3 = SHUF(u3, u7, 0, 1, 2, 3, 8, 9, 10, 11), c7 = SHUF(u3, u7, 4, 5, 6, 7, 12, 13, 14, 15);
                acc += SPLAT(xr[i0]) * c0;
                acc += SPLAT(xr[i0 + 1]) * c1;
                acc += SPLAT(xr[i0 + 2]) * c2;
                acc += SPLAT(xr[i0 + 3]) * c3;
                acc += SPLAT(xr[i0 + 4]) * c4;
                acc += SPLAT(xr[i0 + 5]) * c5;
                acc += SPLAT(xr[i0 + 6]) * c6;
                acc += SPLAT(xr[i0 + 7]) * c7;
            }
            for (; i0 < fin; i0++) {
                v8 column = {r[i0], r[fin + i0], r[2 * fin + i0], r[3 * fin + i0],
                             r[4 * fin + i0], r[5 * fin + i0], r[6 * fin + i0], r[7 * fin + i0]};
                acc += SPLAT(xr[i0]) * column;
            }
            if (bias) acc += LOAD8(bias + o0);
            STORE8(acc, y + n * fout + o0, 8);
        }
        for (; o0 < fout; o0++) {
            double acc = 0;
            for (long i = 0; i < fin; i++) acc += xr[i] * w[o0 * fin + i];
            if (bias) acc += bias[o0];
            y[n * fout + o0] = acc;
        }
    }
}

CT_MULTIVERSION
void ct_linear_input_grad(long N, long fin, long fout, const double *dy, const double *w, double *dx) {
    for (long n = 0; n < N; n++) {
        const double *g = dy + n * fout;
        // Tiles: TILES blocks of eight columns i in lockstep; the columns after the last full block one by one.
        long full = fin / 8;
        for (long t0 = 0; t0 < full; t0 += TILES) {
            v8 acc[TILES];
            long i0[TILES];
            for (int t = 0; t < TILES; t++) {
                acc[t] = ZERO8;
                i0[t] = (t0 + t < full ? t0 + t : t0) * 8;
            }
            for (long o = 0; o < fout; o++) {
                for (int t = 0; t < TILES; t++) acc[t] += SPLAT(g[o]) * LOAD8(w + o * fin + i0[t]);
            }
            for (int t = 0; t < TILES && t0 + t < full; t++) STORE8(acc[t], dx + n * fin + i0[t], 8);
        }
        for (long i = full * 8; i < fin; i++) {
            double acc = 0;
            for (long o = 0; o < fout; o++) acc += g[o] * w[o * fin + i];
            dx[n * fin + i] = acc;
        }
    }
}
