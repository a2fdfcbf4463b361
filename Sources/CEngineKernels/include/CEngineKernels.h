// CEngineKernels — the untraced conv2d inner loops, compiled once per x86-64 vector width and picked at run time.
#ifndef CENGINEKERNELS_H
#define CENGINEKERNELS_H

/// Forward over the padded input: y[n,k,y,x] = Σ_{c,i,j} xp[n,c,y+i,x+j]·kt[k,c,i,j] (+ bias[k]), each cell
/// summed from +0 in (c, i, j) order. xp is N×C×Hp×Wp plus 16 readable doubles; bias may be NULL.
void ct_conv_forward(long N, long F, long C, long Fh, long Fw, long Ho, long Wo, long Hp, long Wp,
                     const double *xp, const double *kt, const double *bias, double *y);

/// dK[k,c,i,j] = Σ_{n,y,x} dy[n,k,y,x]·xp[n,c,y+i,x+j] in (n, y, x) order, written at the kernel cell as
/// given (rotated when flip != 0). Requires Fw ≤ 8.
void ct_conv_kernel_grad(long N, long F, long C, long Fh, long Fw, long Ho, long Wo, long Hp, long Wp,
                         const double *xp, const double *dy, double *dk, int flip);

/// dX[n,c,h,w] = Σ_k Σ_{i desc} Σ_{j desc} q[n,k,h+top−i, w+left+Fw−1−j]·kt[k,c,i,j] over valid rows, where q
/// is dY with Fw−1 zero columns each side (row length Wq) plus 16 readable doubles.
void ct_conv_input_grad(long N, long F, long C, long H, long W, long Fh, long Fw, long Ho, long Wo, long Wq,
                        long top, long left, const double *q, const double *kt, double *dx);
/// db[k] = Σ_{n,o} dy[n,k,o] over the N×F planes of `plane` values, in (n, o) order; the F sums advance
/// together so that their adds overlap.
void ct_conv_bias_grad(long N, long F, long plane, const double *dy, double *db);
/// Linear forward: y[n,o] = Σ_i x[n,i]·w[o,i] in i order from +0, then + bias[o] (bias may be NULL).
/// x N×in, w out×in, y N×out.
void ct_linear_forward(long N, long fin, long fout, const double *x, const double *w, const double *bias, double *y);

/// Linear input gradient: dx[n,i] = Σ_o dy[n,o]·w[o,i] in o order from +0. dy N×out, w out×in, dx N×in.
void ct_linear_input_grad(long N, long fin, long fout, const double *dy, const double *w, double *dx);
#endif
