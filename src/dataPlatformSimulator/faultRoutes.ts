import { Router } from 'express';
import { faultsChange, type FaultSwitch } from './faults';
import { parse } from './requests';

/** GET and PUT /admin/faults: what tests and operators switch while the simulator runs. */
export function faultRoutes(faults: FaultSwitch): Router {
  const admin = Router();

  admin.get('/faults', (_req, res) => {
    res.json(faults.current());
  });

  admin.put('/faults', (req, res) => {
    const changed = faults.change(parse(faultsChange, req.body, 'body'));
    req.log.info({ faults: changed }, 'faults changed');
    res.json(changed);
  });

  return admin;
}
