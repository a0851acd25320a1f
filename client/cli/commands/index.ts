/** Every command the `neox` CLI knows, in the order `neox --help` lists them. */
import type { Command } from '../command';
import { checkpointInspectCommand } from './checkpoint-inspect';
import { configShowCommand } from './config-show';
import { datasetInspectCommand } from './dataset-inspect';
import { datasetSamplesCommand } from './dataset-samples';
import { generateCommand } from './generate';
import { evalCommand } from './eval';
import { exportHfCommand } from './export-hf';
import { importHfCommand } from './import-hf';
import { infoCommand } from './info';
import { preprocessCommand } from './preprocess';
import { serveCommand } from './serve';
import { trainCommand } from './train';

export const commands: Command[] = [trainCommand, infoCommand, preprocessCommand, datasetInspectCommand, datasetSamplesCommand, configShowCommand, checkpointInspectCommand, generateCommand, serveCommand, exportHfCommand, importHfCommand, evalCommand];
