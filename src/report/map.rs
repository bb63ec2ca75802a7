//! The map: a projection chosen for the data's extent, applied here so
//! that the page only scales integers, and the points as compact JSON that
//! the page's script draws on a canvas (an SVG of tens of thousands of
//! circles opens slowly; a canvas draws them in milliseconds).

use super::PlanModel;
use serde_json::{json, Value as Json};

/// Projected coordinates are scaled to this width, in integer units.
const GRID: f64 = 10_000.0;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Projection {
    /// x = (lon - lon0) cos(lat0), y = lat: true shapes for a city or a
    /// region a few degrees across.
    Equirectangular { lat0: f64, lon0: f64 },
    /// Albers equal-area conic with standard parallels at 1/6 and 5/6 of
    /// the latitude range: areas true across a continent.
    Albers { n: f64, c: f64, rho0: f64, lon0: f64 },
}

impl Projection {
    fn project(&self, (lat, lon): (f64, f64)) -> (f64, f64) {
        match *self {
            Projection::Equirectangular { lat0, lon0 } => ((lon - lon0) * lat0.to_radians().cos(), lat),
            Projection::Albers { n, c, rho0, lon0 } => {
                let rho = (c - 2.0 * n * lat.to_radians().sin()).max(0.0).sqrt() / n;
                let theta = n * (lon - lon0).to_radians();
                (rho * theta.sin(), rho0 - rho * theta.cos())
            }
        }
    }
}

/// A projection and the box that holds every point, shared by the two maps
/// of a comparison so that they line up.
#[derive(Clone, Debug)]
pub struct Frame {
    projection: Projection,
    /// Said under the map.
    pub description: String,
    min: (f64, f64),
    scale: f64,
    /// Height in grid units (the width is `GRID`).
    height: f64,
}

/// Extents above which a conic projection suits the data better.
const CONIC_LAT_SPAN: f64 = 8.0;
const CONIC_LON_SPAN: f64 = 12.0;

/// Chooses a projection for these (latitude, longitude) points.
pub fn frame(points: &[(f64, f64)]) -> Option<Frame> {
    let first = points.first()?;
    let (mut lat_lo, mut lat_hi, mut lon_lo, mut lon_hi) = (first.0, first.0, first.1, first.1);
    for &(lat, lon) in points {
        lat_lo = lat_lo.min(lat);
        lat_hi = lat_hi.max(lat);
        lon_lo = lon_lo.min(lon);
        lon_hi = lon_hi.max(lon);
    }
    let lon0 = (lon_lo + lon_hi) / 2.0;
    let one_hemisphere = lat_lo > 0.0 || lat_hi < 0.0;
    let wide = lat_hi - lat_lo > CONIC_LAT_SPAN || lon_hi - lon_lo > CONIC_LON_SPAN;
    let (projection, description) = if wide && one_hemisphere {
        let span = lat_hi - lat_lo;
        let (p1, p2) = (lat_lo + span / 6.0, lat_hi - span / 6.0);
        let (s1, s2) = (p1.to_radians().sin(), p2.to_radians().sin());
        let n = (s1 + s2) / 2.0;
        let c = p1.to_radians().cos().powi(2) + 2.0 * n * s1;
        let lat0 = (lat_lo + lat_hi) / 2.0;
        let rho0 = (c - 2.0 * n * lat0.to_radians().sin()).max(0.0).sqrt() / n;
        let text = format!("Albers equal-area conic projection, standard parallels {} and {}", degrees(p1, 'N', 'S'), degrees(p2, 'N', 'S'));
        (Projection::Albers { n, c, rho0, lon0 }, text)
    } else {
        let lat0 = (lat_lo + lat_hi) / 2.0;
        let text = format!("equirectangular projection, true to scale at {}", degrees(lat0, 'N', 'S'));
        (Projection::Equirectangular { lat0, lon0 }, text)
    };
    let projected: Vec<(f64, f64)> = points.iter().map(|p| projection.project(*p)).collect();
    let (mut x_lo, mut x_hi, mut y_lo, mut y_hi) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
    for (x, y) in &projected {
        x_lo = x_lo.min(*x);
        x_hi = x_hi.max(*x);
        y_lo = y_lo.min(*y);
        y_hi = y_hi.max(*y);
    }
    // A square at least 1e-3 degrees across, so one point still has a map.
    let side = (x_hi - x_lo).max(y_hi - y_lo).max(1e-3);
    let scale = GRID / side;
    let height = ((y_hi - y_lo) * scale).max(GRID * 0.25);
    let (x_mid, y_mid) = ((x_lo + x_hi) / 2.0, (y_lo + y_hi) / 2.0);
    let min = (x_mid - GRID / scale / 2.0, y_mid - height / scale / 2.0);
    Some(Frame { projection, description, min, scale, height })
}

fn degrees(x: f64, positive: char, negative: char) -> String {
    format!("{:.1}°{}", x.abs(), if x >= 0.0 { positive } else { negative })
}

impl Frame {
    /// Grid coordinates, y down.
    fn grid(&self, p: (f64, f64)) -> (i64, i64) {
        let (x, y) = self.projection.project(p);
        (((x - self.min.0) * self.scale).round() as i64, (self.height - (y - self.min.1) * self.scale).round() as i64)
    }
}

/// Every location of a model: its rows' and its targets' homes.
pub fn points(model: &PlanModel) -> Vec<(f64, f64)> {
    model.rows.iter().filter_map(|r| r.site).chain(model.targets.iter().filter_map(|t| t.home)).collect()
}

/// A colour per target, spread around the hue circle by the golden angle so
/// that neighbours in key order differ.
pub fn colour(index: usize) -> String {
    let hue = (index as f64 * 137.507_764) % 360.0;
    let (s, l) = (0.68, if index % 2 == 0 { 0.45 } else { 0.58 });
    let c = (1.0 - (2.0 * l - 1.0f64).abs()) * s;
    let h = hue / 60.0;
    let x = c * (1.0 - (h % 2.0 - 1.0).abs());
    let (r, g, b) = match h as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    let byte = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    format!("#{:02x}{:02x}{:02x}", byte(r), byte(g), byte(b))
}

/// The data the page's script draws: one entry per row with a location
/// (`x`, `y`, target index or -1, flags), the targets with colour and
/// home, and the fields shown on hover. `changed` marks rows to emphasise
/// (in a comparison, rows whose target differs between the plans).
pub fn data(model: &PlanModel, frame: &Frame, changed: Option<&[bool]>) -> Json {
    let drawn: Vec<usize> = (0..model.rows.len()).filter(|&i| model.rows[i].site.is_some()).collect();
    let mut xs = Vec::with_capacity(drawn.len());
    let mut ys = Vec::with_capacity(drawn.len());
    let mut targets = Vec::with_capacity(drawn.len());
    let mut flags = Vec::with_capacity(drawn.len());
    for &i in &drawn {
        let r = &model.rows[i];
        let (x, y) = frame.grid(r.site.unwrap_or_default());
        xs.push(x);
        ys.push(y);
        targets.push(r.target.map_or(-1, i64::from));
        // Bit 1: must be assigned; 2: moved from its owner; 4: emphasised.
        let emphasised = changed.is_some_and(|c| c.get(i).copied().unwrap_or(false));
        flags.push(u8::from(r.required) | (u8::from(r.moved()) << 1) | (u8::from(emphasised) << 2));
    }
    let target_list: Vec<Json> = model
        .targets
        .iter()
        .enumerate()
        .map(|(t, info)| {
            let home = info.home.map(|h| frame.grid(h));
            json!({
                "key": info.key,
                "name": info.name,
                "colour": colour(t),
                "x": home.map(|h| h.0),
                "y": home.map(|h| h.1),
            })
        })
        .collect();
    let values: Vec<Vec<&Json>> = model.detail_values.iter().map(|column| drawn.iter().map(|&i| column.get(i).unwrap_or(&Json::Null)).collect()).collect();
    json!({
        "entity": model.entity,
        "target": model.target,
        "width": GRID as i64,
        "height": frame.height.round() as i64,
        "x": xs,
        "y": ys,
        "t": targets,
        "flags": flags,
        "targets": target_list,
        "fields": model.detail_fields,
        "values": values,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_is_equirectangular_and_a_continent_conic() {
        let city = frame(&[(47.6, -122.3), (45.5, -122.7)]).map(|f| f.projection);
        assert!(matches!(city, Some(Projection::Equirectangular { .. })));
        let continent = frame(&[(25.8, -80.2), (47.6, -122.3), (45.5, -73.6)]).map(|f| f.projection);
        assert!(matches!(continent, Some(Projection::Albers { .. })));
        assert!(frame(&[]).is_none());
    }

    #[test]
    fn points_fit_the_grid_north_up() {
        let pts = [(25.8, -80.2), (47.6, -122.3), (45.5, -73.6)];
        let Some(f) = frame(&pts) else { panic!("a frame") };
        let grid: Vec<(i64, i64)> = pts.iter().map(|p| f.grid(*p)).collect();
        for (x, y) in &grid {
            assert!((0..=GRID as i64).contains(x) && (0..=f.height.round() as i64).contains(y), "{grid:?}");
        }
        // Miami is south of Seattle: larger y (down); Seattle west of Montreal.
        assert!(grid[0].1 > grid[1].1 && grid[1].0 < grid[2].0, "{grid:?}");
    }
}
