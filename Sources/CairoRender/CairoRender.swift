// CairoRender — placeholder until its module lands; the only module that imports Cairo and giflib.
import CCairo
import CGif
