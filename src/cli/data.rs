//! `data build`: the observations table from a data folder's sources, written atomically.

use super::*;

pub(super) fn build(dir: &Path) -> Result<()> {
    let inputs = crate::data::Inputs::read(dir)?;
    let built = crate::data::build(&inputs)?;
    let target = dir.join(crate::data::OBSERVATIONS_FILE);
    crate::output::write_file(&target, crate::data::to_csv(&built.observations).as_bytes())?;
    print!("{}", crate::data::summary(&built));
    println!(
        "wrote {} ({} rows)",
        shown(&target),
        built.observations.len()
    );
    Ok(())
}
