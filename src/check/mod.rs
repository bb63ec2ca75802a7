pub mod schema;
pub mod suggest;
