// Storyboard — the grid a rotated kernel slides over at stride 1: cells spread by the stride, zeros around.
import Engine

/// Where a tensor's cells land when a transposed convolution is drawn as a direct one: s − 1 zeros
/// inserted between neighbouring cells and d·(F − 1) − pad cells of zeros around, so that a kernel
/// rotated 180° sliding at stride 1 visits each target cell once. Used for the input of
/// conv_transpose2d and for dY in a convolution's input gradient (a full convolution of dY).
///
/// Shapes: a `sourceH`×`sourceW` plane → a `rows`×`columns` canvas; target cell (h, w) is computed by
/// the Fh×Fw window (taps `dilation` apart) whose top-left corner is canvas cell (h − rMin, w − cMin).
struct ZeroInsertedCanvas {
    let stride: Pair
    let dilation: Pair
    let kernelH: Int, kernelW: Int
    let sourceH: Int, sourceW: Int
    /// Source cell (0, 0) sits at (offY, offX) in target coordinates: d·(F − 1) − pad_before.
    let offY: Int, offX: Int
    /// Target coordinates of the canvas's top-left cell (≤ 0).
    let rMin: Int, cMin: Int
    let rows: Int, columns: Int

    /// - Parameters:
    ///   - source: the plane spread out (rows, columns);
    ///   - target: the plane computed (rows, columns);
    ///   - padBefore: the padding before the first row and column (top, left).
    init(source: (h: Int, w: Int), target: (h: Int, w: Int), kernel: (h: Int, w: Int), stride: Pair, dilation: Pair,
         padBefore: (top: Int, left: Int)) {
        self.stride = stride
        self.dilation = dilation
        (kernelH, kernelW) = (kernel.h, kernel.w)
        (sourceH, sourceW) = (source.h, source.w)
        offY = dilation.y * (kernel.h - 1) - padBefore.top
        offX = dilation.x * (kernel.w - 1) - padBefore.left
        rMin = min(0, offY)
        cMin = min(0, offX)
        let rMax = max(target.h - 1 + dilation.y * (kernel.h - 1), (source.h - 1) * stride.y + offY)
        let cMax = max(target.w - 1 + dilation.x * (kernel.w - 1), (source.w - 1) * stride.x + offX)
        rows = rMax - rMin + 1
        columns = cMax - cMin + 1
    }

    /// Canvas cell of source cell (h, w).
    func position(_ h: Int, _ w: Int) -> (row: Int, column: Int) {
        (h * stride.y + offY - rMin, w * stride.x + offX - cMin)
    }

    /// One plane (n, c) of `t` on the canvas: its values, the inserted zeros and the zero padding.
    func grid(_ ctx: SceneContext, _ t: KnownTensor, n: Int, c: Int, id: GridID, role: GridRole, title: String,
              subtitle: String, symbol: String, position: GridPosition) -> Grid {
        var cells: [Cell] = []
        cells.reserveCapacity(rows * columns)
        for r in 0..<rows {
            for q in 0..<columns {
                let ry = r + rMin - offY, qx = q + cMin - offX
                let onRow = ry >= 0 && ry % stride.y == 0 && ry / stride.y < sourceH
                let onCol = qx >= 0 && qx % stride.x == 0 && qx / stride.x < sourceW
                let inRows = ry >= 0 && ry <= (sourceH - 1) * stride.y, inCols = qx >= 0 && qx <= (sourceW - 1) * stride.x
                if onRow && onCol {
                    let v = t[n, c, ry / stride.y, qx / stride.x]
                    cells.append(Cell(value: v, text: ctx.text(v)))
                } else if inRows && inCols {
                    cells.append(Cell(value: 0, text: "0", role: .insertedZero))
                } else {
                    cells.append(Cell(value: 0, text: "0", role: .padding(PaddingFill(mode: .zeros))))
                }
            }
        }
        return Grid(id: id, role: role, title: title, subtitle: subtitle, symbol: symbol, rows: rows, columns: columns,
                    cells: cells, origin: GridOrigin(row: rMin - offY, column: cMin - offX), slice: TensorSlice(n: n, c: c),
                    position: position)
    }

    /// Marks the window that computes target cell (h, w) on `grid`, each tap annotated with the weight
    /// `weights` shows at that tap; returns the window's cells and its bounding rectangle.
    func markWindow(target h: Int, _ w: Int, on grid: inout Grid, weights: Grid) -> (cells: [CellRef], bounds: CellRect) {
        var cells: [CellRef] = []
        for t in 0..<kernelH {
            for u in 0..<kernelW {
                let r = h - rMin + t * dilation.y, q = w - cMin + u * dilation.x
                grid.mark(r, q, .window, annotation: "×" + weights[t, u].text)
                cells.append(CellRef(grid: grid.id, row: r, column: q))
            }
        }
        return (cells, CellRect(grid: grid.id, row: h - rMin, column: w - cMin, rows: dilation.y * (kernelH - 1) + 1,
                                columns: dilation.x * (kernelW - 1) + 1))
    }
}
