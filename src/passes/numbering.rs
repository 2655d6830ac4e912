//! The numbering pass: the report's figures and tables are numbered in
//! reading order, each kind from 1, before links and cross-references to
//! them are resolved.

use std::collections::HashMap;

use crate::model::{BlockKind, Report};

/// The labelled figures and tables, by label (several where a label is
/// used in more than one article).
pub type Labels = HashMap<String, Vec<Numbered>>;

/// A labelled figure or table: where it is and its number.
#[derive(Debug, Clone)]
pub struct Numbered {
    pub article: String,
    pub src_rel: String,
    pub table: bool,
    pub number: usize,
}

/// Numbers the report's captioned or labelled figures and tables, each from 1 in reading order; returns the labelled ones by label.
pub fn run(report: &mut Report) -> Labels {
    let (mut figures, mut tables) = (0, 0);
    let mut labels: HashMap<String, Vec<Numbered>> = HashMap::new();
    for article in report.articles_mut() {
        let (id, src_rel) = (article.id.clone(), article.src_rel.clone());
        article.for_each_block_mut(&mut |block| {
            let (label, number, table) = match &mut block.kind {
                BlockKind::Figure { caption, label, number, .. } if !caption.is_empty() || label.is_some() => {
                    figures += 1;
                    *number = Some(figures);
                    (label.clone(), figures, false)
                }
                BlockKind::Table { caption, label, number, .. } if !caption.is_empty() || label.is_some() => {
                    tables += 1;
                    *number = Some(tables);
                    (label.clone(), tables, true)
                }
                _ => return,
            };
            if let Some(label) = label {
                labels.entry(label).or_default().push(Numbered {
                    article: id.clone(),
                    src_rel: src_rel.clone(),
                    table,
                    number,
                });
            }
        });
    }
    labels
}
